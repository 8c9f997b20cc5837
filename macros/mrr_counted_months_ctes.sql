{#-
    The months a dated row counts in, as two common table expressions ending with
    `<prefix>_counted_months`: one row per row of `relation` that starts on or
    before the spine's last snapshot day, with its `columns`, the `computed`
    expressions (pairs of [expression over `dated`, name]), first_counted_month,
    last_counted_month and spine_end_month. The row counts in every month from the
    first to the last; when the last is before the first it counts in none.

    A row counts on a month's snapshot day (spec section 4: the month's last day,
    as_of_date in the month of as_of_date) when it starts on or before that day and
    ends after it: `start_column` is inclusive, `end_column` exclusive (null: open).
    Subscription items (the MRR series, macro mrr_series_periods_ctes) and invoice
    lines over their service periods (int_invoice_lines_spread) count by this one
    rule.

    `bounds_relation` has one row with spine_end_month and spine_end_snapshot_date.
-#}
{% macro mrr_counted_months_ctes(prefix, relation, columns, start_column, end_column, bounds_relation, computed=[]) -%}
-- The last counting day is capped at the spine's last snapshot day, so no date
-- arithmetic runs near the far date that stands for an open end.
{{ prefix }}_counting_days as (
    select
        {%- for column in columns %}
        dated.{{ column }},
        {%- endfor %}
        {%- for expression, name in computed %}
        {{ expression }} as {{ name }},
        {%- endfor %}
        cast({{ dbt.date_trunc('month', 'dated.' ~ start_column) }} as date) as first_counted_month,
        cast(
            {{ dbt.dateadd('day', -1, 'least(coalesce(dated.' ~ end_column ~ ', ' ~ mrr_open_end_date() ~ '), cast(' ~ dbt.dateadd('day', 1, 'bounds.spine_end_snapshot_date') ~ ' as date))') }}
            as date
        ) as last_counting_day,
        bounds.spine_end_month,
        bounds.spine_end_snapshot_date
    from {{ relation }} as dated
    cross join {{ bounds_relation }} as bounds
    where dated.{{ start_column }} <= bounds.spine_end_snapshot_date
),

-- The last month whose snapshot day the row covers: a month before the spine's
-- last ends on its last day, so it is the month of the last counting day when that
-- is a month's last day, and the month before otherwise.
{{ prefix }}_counted_months as (
    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        {%- for expression, name in computed %}
        {{ name }},
        {%- endfor %}
        first_counted_month,
        case
            when last_counting_day >= spine_end_snapshot_date then spine_end_month
            when last_counting_day = cast({{ dbt.last_day('last_counting_day', 'month') }} as date)
                then cast({{ dbt.date_trunc('month', 'last_counting_day') }} as date)
            else cast({{ dbt.dateadd('month', -1, dbt.date_trunc('month', 'last_counting_day')) }} as date)
        end as last_counted_month,
        spine_end_month
    from {{ prefix }}_counting_days
)
{%- endmacro %}
