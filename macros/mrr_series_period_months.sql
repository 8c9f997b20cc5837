{#- The months of each period (macro mrr_series_months_ctes): its first month carries
    the period before's MRR as previous_mrr, the others their own, and each month
    its movement (spec section 6). -#}
{% macro mrr_series_period_months(periods_relation, months_relation, columns) -%}
    select
        series_months.month,
        {%- for column in columns %}
        periods.{{ column }},
        {%- endfor %}
        periods.mrr,
        case
            when series_months.month = periods.start_month then periods.previous_mrr
            else periods.mrr
        end as previous_mrr,
        periods.active_items,
        -- Only a period's first month can move: the months after it keep its MRR.
        case
            when series_months.month > periods.start_month then 'retained'
            when periods.mrr = 0 then 'churn'
            when periods.previous_mrr = 0 and periods.start_month = periods.first_paying_month then 'new'
            when periods.previous_mrr = 0 then 'reactivation'
            when periods.mrr > periods.previous_mrr then 'expansion'
            when periods.mrr < periods.previous_mrr then 'contraction'
            else 'retained'
        end as movement_type,
        case
            when series_months.month = periods.start_month then periods.mrr - periods.previous_mrr
            else periods.mrr - periods.mrr
        end as movement_amount
    from {{ periods_relation }} as periods
    inner join {{ months_relation }} as series_months
        on
            series_months.month >= periods.start_month
            and series_months.month < periods.end_month
{%- endmacro %}
