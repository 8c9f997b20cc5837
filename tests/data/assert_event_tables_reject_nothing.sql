-- From subscription events, the six raw tables the
-- events are mapped to are derived, not delivered: a record of them that a base
-- model rejects or excludes is a bug in the mapping (a value the events' own checks
-- should have rejected, or a broken key), never a fault of the data. Native and
-- Stripe builds: no rows.
{%- set derived = ['customers', 'plans', 'subscriptions', 'subscription_items'] %}
{%- if mrr_billing_source_name() in ('events', 'ga4') %}
    {%- for source_table in derived %}
        select
            '{{ source_table }}' as source_table,
            record_id,
            coalesce(exclusion_reason, rejection_reason) as reason
        from {{ ref('mrr', mrr_base_models()[source_table]) }}
        where exclusion_reason is not null or rejection_reason is not null
        union all
    {%- endfor %}
    -- The item's rate, looked up after staging.
    select
        'subscription_items' as source_table,
        subscription_item_id as record_id,
        rejection_reason as reason
    from {{ ref('mrr', 'int_subscription_items_converted') }}
    where rejection_reason is not null
{%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as source_table,
        cast(null as {{ dbt.type_string() }}) as record_id,
        cast(null as {{ dbt.type_string() }}) as reason
    where 1 = 0
{%- endif %}
