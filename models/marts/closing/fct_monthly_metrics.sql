{{ config(grants=mrr_reader_grants()) }}
{#- Every published monthly figure, by the mart and column that holds it. -#}
{%- set metrics = {
    'fct_mrr_movements': [
        'opening_mrr', 'new_mrr', 'expansion_mrr', 'contraction_mrr', 'churned_mrr',
        'reactivation_mrr', 'net_new_mrr', 'closing_mrr', 'opening_customers', 'new_customers',
        'expansion_customers', 'contraction_customers', 'churned_customers',
        'reactivated_customers', 'retained_customers', 'closing_customers', 'arpa',
    ],
    'fct_churn': [
        'logo_churn_rate', 'gross_mrr_churn_rate', 'net_mrr_churn_rate', 'net_revenue_retention',
        'gross_revenue_retention', 'quick_ratio',
    ],
    'fct_revenue': [
        'recurring_revenue', 'usage_revenue', 'one_time_revenue', 'setup_revenue', 'total_revenue',
    ],
} -%}
-- One row per month and metric: the live (always restated) value of every monthly
-- figure in fct_mrr_movements, fct_churn and fct_revenue, with the day the month
-- closes (var mrr_close_after_days after its last day) and whether it has.
with

{% for model, columns in metrics.items() %}
    {{ model }}_long as (
        {%- for column in columns %}
            select
                month,
                '{{ column }}' as metric,
                '{{ model }}' as source_model,
                cast({{ column }} as {{ mrr_metric_value_type() }}) as metric_value
            from {{ ref('mrr', model) }}
            {%- if not loop.last %}
                union all
            {%- endif %}
        {%- endfor %}
    ),

{% endfor %}
unioned as (
    {%- for model in metrics %}
        select * from {{ model }}_long
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

with_close_date as (
    select
        month,
        metric,
        source_model,
        metric_value,
        cast(
            {{ dbt.dateadd('day', mrr_close_after_days(), dbt.last_day('month', 'month')) }} as date
        ) as closes_on
    from unioned
),

final as (
    select
        cast(month as date) as month,
        cast(metric as {{ dbt.type_string() }}) as metric,
        cast(source_model as {{ dbt.type_string() }}) as source_model,
        cast(metric_value as {{ mrr_metric_value_type() }}) as metric_value,
        cast(closes_on as date) as closes_on,
        closes_on <= {{ mrr_as_of_date() }} as is_closed
    from with_close_date
)

select * from final
