{#- The months of each period (mrr_monthly_series_ctes): its first month carries the
    period before's MRR as previous_mrr, the others their own. -#}
{% macro mrr_series_period_months(periods_relation, months_relation, series_columns) -%}
    select
        series_months.month,
        {%- for column in series_columns %}
        periods.{{ column }},
        {%- endfor %}
        periods.mrr,
        case
            when series_months.month = periods.start_month then periods.previous_mrr
            else periods.mrr
        end as previous_mrr,
        periods.active_items
    from {{ periods_relation }} as periods
    inner join {{ months_relation }} as series_months
        on
            series_months.month >= periods.start_month
            and series_months.month < periods.end_month
{%- endmacro %}
