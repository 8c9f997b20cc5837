-- The shortcut "sum of monthly_recurring_value by event month" beside the project's
-- MRR, per month of the reporting window, from subscription events (var
-- billing_source events or ga4; docs/events.md). The shortcut counts an annual
-- renewal only in the month it happens, doubles a copied event, adds currencies
-- as if they were one, and loses a customer whose renewal was never tracked;
-- closing_mrr follows the rules of the contract. Without events (another
-- billing_source) the shortcut's column is 0.
{%- if mrr_billing_source_name() in ('events', 'ga4') %}
    {%- set events_relation = events_raw_relation() %}
{%- else %}
    {%- set events_relation = '(select cast(null as ' ~ dbt.type_string() ~ ') as event_name, cast(null as '
        ~ dbt.type_timestamp() ~ ') as occurred_at, cast(null as ' ~ mrr_amount_type()
        ~ ') as monthly_recurring_value where 1 = 0) as no_events' %}
{%- endif %}
with

events as (
    select * from {{ events_relation }}
),

movements as (
    select * from {{ ref('mrr', 'fct_mrr_movements') }}
),

-- Every row with a value, as delivered: copies and all.
valued_events as (
    select
        cast({{ dbt.date_trunc('month', mrr_try_cast('occurred_at', 'timestamp')) }} as date) as month,
        {{ mrr_try_cast('monthly_recurring_value', 'decimal') }} as monthly_recurring_value
    from events
    where lower(trim(event_name)) in ('subscription_started', 'subscription_renewed', 'subscription_updated')
),

naive as (
    select
        month,
        sum(monthly_recurring_value) as naive_sum_by_event_month
    from valued_events
    group by month
),

final as (
    select
        movements.month,
        movements.closing_mrr,
        coalesce(naive.naive_sum_by_event_month, 0) as naive_sum_by_event_month,
        coalesce(naive.naive_sum_by_event_month, 0) - movements.closing_mrr as shortcut_error
    from movements
    left join naive
        on movements.month = naive.month
)

select * from final
order by month
