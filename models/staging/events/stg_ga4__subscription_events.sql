{{ config(materialized='table') }}
-- One row per row of the GA4 day tables read (macro ga4_day_tables: every daily
-- table, and the intraday table of a day without one), in the columns of the table
-- subscription_events, so the events path reads GA4 as any tracker's events
-- (docs/events.md). The parameters carry the fields by the same names, as text
-- whichever value field holds them; customer_id is user_id, never user_pseudo_id. A
-- `purchase` with a subscription_id and a monthly_recurring_value is a renewal (the
-- subscription's first opens it, as a start does). Without an event_id parameter, a
-- row is identified by its timestamp, name, user and parameters.
with

day_rows as (
    {% for day_table in ga4_day_tables() -%}
        select
            event_timestamp,
            event_name,
            user_id,
            user_pseudo_id,
            event_params
        from {{ day_table }}
        {% if not loop.last %}union all{% endif %}
    {% else -%}
        {#- Parse time, or no day table (ga4_day_tables stops a build then). -#}
        select
            cast(null as {{ dbt.type_bigint() }}) as event_timestamp,
            cast(null as {{ dbt.type_string() }}) as event_name,
            cast(null as {{ dbt.type_string() }}) as user_id,
            cast(null as {{ dbt.type_string() }}) as user_pseudo_id,
            null as event_params
        where 1 = 0
    {%- endfor %}
),

flattened as (
    select
        {{ ga4_param_text('event_id') }} as event_id_param,
        {{ ga4_row_identity() }} as row_identity,
        event_name as ga4_event_name,
        {{ ga4_timestamp('event_timestamp') }} as occurred_at,
        user_id as customer_id,
        {{ ga4_param_text('subscription_id') }} as subscription_id,
        {{ ga4_param_text('plan_id') }} as plan_id,
        {{ ga4_param_text('plan_name') }} as plan_name,
        {{ ga4_param_text('product_name') }} as product_name,
        {{ ga4_param_text('country_code') }} as country_code,
        {{ ga4_param_text('segment') }} as segment,
        {{ ga4_param_text('monthly_recurring_value') }} as monthly_recurring_value,
        {{ ga4_param_text('currency') }} as currency,
        {{ ga4_param_text('billing_interval') }} as billing_interval,
        {{ ga4_param_text('billing_interval_count') }} as billing_interval_count,
        {{ ga4_param_text('is_trial') }} as is_trial,
        {{ ga4_param_text('effective_at') }} as effective_at
    from day_rows
),

final as (
    select
        cast(coalesce(event_id_param, {{ dbt.concat(["'ga4:'", 'row_identity']) }}) as {{ dbt.type_string() }})
            as event_id,
        cast(
            case
                when
                    lower(ga4_event_name) = 'purchase'
                    and nullif(trim(subscription_id), '') is not null
                    and nullif(trim(monthly_recurring_value), '') is not null
                    then 'subscription_renewed'
                else ga4_event_name
            end
            as {{ dbt.type_string() }}
        ) as event_name,
        occurred_at,
        effective_at,
        customer_id,
        subscription_id,
        plan_id,
        plan_name,
        product_name,
        country_code,
        segment,
        monthly_recurring_value,
        currency,
        billing_interval,
        billing_interval_count,
        is_trial
    from flattened
)

select * from final
