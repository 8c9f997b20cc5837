{#- One row per item and month whose snapshot day or previous snapshot day the item
    covers, with its amount on each (null where it does not count): the join of
    mrr_monthly_series_ctes. -#}
{% macro mrr_items_on_snapshot_days(items_relation, months_relation, series_columns) -%}
    select
        series_months.month,
        {%- for column in series_columns %}
        items.{{ column }},
        {%- endfor %}
        case
            when
                items.effective_start_date <= series_months.snapshot_date
                and coalesce(items.effective_end_date, {{ mrr_open_end_date() }}) > series_months.snapshot_date
                then items.monthly_amount_reporting
        end as amount_on_snapshot_day,
        case
            when
                items.effective_start_date <= series_months.previous_snapshot_date
                and coalesce(items.effective_end_date, {{ mrr_open_end_date() }}) > series_months.previous_snapshot_date
                then items.monthly_amount_reporting
        end as amount_on_previous_snapshot_day
    from {{ items_relation }} as items
    inner join {{ months_relation }} as series_months
        on
            items.effective_start_date <= series_months.snapshot_date
            -- An open end as a far date rather than "or is null" keeps this a pure
            -- range join the warehouse can run as one (an OR is checked pair by pair).
            and coalesce(items.effective_end_date, {{ mrr_open_end_date() }}) > series_months.previous_snapshot_date
{%- endmacro %}
