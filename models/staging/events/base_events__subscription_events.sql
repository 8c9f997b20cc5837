{{ config(materialized='table') }}
-- One row per subscription event (a record: the rows with one event_id, or, without
-- one, with the same content), valid or not, with its disposition: kept, ignored
-- (another event name) or rejected with the first rule it breaks. Copies are counted
-- in duplicate_copies. docs/events.md states each rule.
{%- set raw_columns = [
    'event_id', 'event_name', 'occurred_at', 'effective_at', 'customer_id', 'subscription_id',
    'plan_id', 'plan_name', 'product_name', 'country_code', 'segment', 'monthly_recurring_value',
    'currency', 'billing_interval', 'billing_interval_count', 'is_trial',
] %}
{%- set source_table = events_source_table() %}
{%- set content_parts = [] %}
{%- for column in raw_columns %}
    {%- do content_parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '~')") %}
    {%- if not loop.last %}{%- do content_parts.append("'|'") %}{%- endif %}
{%- endfor %}
{#- An event without an id is identified by its content: identical rows are copies.
    The content's hash is computed only for the rows without an id. -#}
{%- set event_key -%}
    coalesce(
        nullif(trim(cast(event_id as {{ dbt.type_string() }})), ''),
        {{ dbt.concat(["'content:'", dbt.hash(dbt.concat(content_parts))]) }}
    )
{%- endset %}
with

-- The events are read three times, each read straight from the relation: a step that
-- two later steps read is kept whole by some engines (all events, every column)
-- until both have read it, which costs far more than reading the events again.
source_keys as (
    select * from {{ events_raw_relation() }}
),

source_single_sends as (
    select * from {{ events_raw_relation() }}
),

source_copies as (
    select * from {{ events_raw_relation() }}
),

-- Events sent more than once, with their number of copies: few, so cheap to read twice.
event_keys as (
    select {{ event_key }} as event_key
    from source_keys
),

copied_keys as (
    select
        event_key,
        count(*) - 1 as duplicate_copies
    from event_keys
    group by event_key
    having count(*) > 1
),

-- Events sent once pass straight through, so the sort below carries only the copies.
single_sends as (
    select
        source_single_sends.*,
        {{ event_key }} as event_key,
        cast(0 as {{ dbt.type_bigint() }}) as duplicate_copies,
        1 as copy_rank
    from source_single_sends
    left join copied_keys
        on {{ event_key }} = copied_keys.event_key
    where copied_keys.event_key is null
),

-- Copies of one event: the first by occurred_at (then content) stands for them.
ranked_copies as (
    select
        source_copies.*,
        copied_keys.event_key,
        copied_keys.duplicate_copies,
        row_number() over (
            partition by copied_keys.event_key
            order by source_copies.occurred_at, {{ dbt.hash(dbt.concat(content_parts)) }}
        ) as copy_rank
    from source_copies
    inner join copied_keys
        on {{ event_key }} = copied_keys.event_key
),

ranked as (
    select * from single_sends
    union all
    select * from ranked_copies
),

cleaned as (
    select
        event_key as record_id,
        lower(trim(event_name)) as event_name,
        {{ mrr_try_cast('occurred_at', 'timestamp') }} as occurred_at,
        coalesce({{ mrr_try_cast('effective_at', 'timestamp') }}, {{ mrr_try_cast('occurred_at', 'timestamp') }})
            as effective_at,
        nullif(trim(cast(customer_id as {{ dbt.type_string() }})), '') as customer_id,
        nullif(trim(cast(subscription_id as {{ dbt.type_string() }})), '') as subscription_id,
        nullif(trim(cast(plan_id as {{ dbt.type_string() }})), '') as plan_id,
        nullif(trim(cast(plan_name as {{ dbt.type_string() }})), '') as plan_name,
        nullif(trim(cast(product_name as {{ dbt.type_string() }})), '') as product_name,
        nullif(upper(trim(cast(country_code as {{ dbt.type_string() }}))), '') as country_code,
        nullif(lower(trim(cast(segment as {{ dbt.type_string() }}))), '') as segment,
        {{ mrr_try_cast('monthly_recurring_value', 'decimal') }} as monthly_recurring_value,
        nullif(upper(trim(cast(currency as {{ dbt.type_string() }}))), '') as currency,
        coalesce(nullif(lower(trim(cast(billing_interval as {{ dbt.type_string() }}))), ''), 'month')
            as billing_interval,
        coalesce({{ mrr_try_cast('billing_interval_count', 'integer') }}, 1) as billing_interval_count,
        coalesce({{ mrr_try_cast('is_trial', 'boolean') }}, false) as is_trial,
        duplicate_copies,
        {{ mrr_unparseable_reason(source_table, [
            ['occurred_at', 'timestamp'], ['effective_at', 'timestamp'], ['monthly_recurring_value', 'decimal'],
            ['billing_interval_count', 'integer'], ['is_trial', 'boolean'],
        ]) }} as unparseable_reason
    from ranked
    where copy_rank = 1
),

-- The rate a currency needs: on or before the day the event takes effect, as an
-- item starting then would lock (spec section 3).
rate_lookups as (
    select
        *,
        cast(effective_at as date) as rate_lookup_date
    from cleaned
),

with_rate as (
    {{ mrr_with_fx_rate('rate_lookups') }}
),

classified as (
    select
        *,
        event_name in ('subscription_started', 'subscription_renewed', 'subscription_updated') as sets_value,
        case
            when
                event_name not in (
                    'subscription_started', 'subscription_renewed', 'subscription_updated', 'subscription_cancelled'
                )
                or event_name is null
                then 'ignored event'
        end as exclusion_reason
    from with_rate
),

-- Rules in the order of the one list (macros/mrr_rejection_reasons.sql).
records as (
    select
        record_id,
        event_name,
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
        is_trial,
        duplicate_copies,
        cast(0 as {{ dbt.type_bigint() }}) as superseded_versions,
        exclusion_reason,
        case
            when exclusion_reason is not null then null
            when subscription_id is null then {{ mrr_rejection_reason(source_table, 'missing subscription_id') }}
            when unparseable_reason is not null then unparseable_reason
            when occurred_at is null then {{ mrr_rejection_reason(source_table, 'missing occurred_at') }}
            when sets_value and customer_id is null then {{ mrr_rejection_reason(source_table, 'missing customer_id') }}
            when sets_value and monthly_recurring_value is null
                then {{ mrr_rejection_reason(source_table, 'missing monthly_recurring_value') }}
            when sets_value and monthly_recurring_value < 0
                then {{ mrr_rejection_reason(source_table, 'negative monthly_recurring_value') }}
            when sets_value and currency is null then {{ mrr_rejection_reason(source_table, 'missing currency') }}
            when billing_interval not in ('day', 'week', 'month', 'quarter', 'year')
                then {{ mrr_rejection_reason(source_table, 'unknown billing_interval') }}
            when billing_interval_count < 1
                then {{ mrr_rejection_reason(source_table, 'billing_interval_count below 1') }}
            when currency is not null and fx_rate_to_reporting is null
                then {{ mrr_rejection_reason(source_table, 'no fx rate') }}
        end as rejection_reason
    from classified
),

final as (
    select * from records
)

select * from final
