{{ config(grants=mrr_reader_grants()) }}
-- One row per rejected raw record (latest version of its key): which table, which
-- key and the first rule it breaks (docs/decisions.md lists the reasons in order).
-- From subscription events, the rejected events too (record_id: the event's id).
{%- set models = mrr_base_models() %}
{%- if mrr_billing_source_name() in ('events', 'ga4') %}
    {%- do models.update({events_source_table(): 'base_events__subscription_events'}) %}
{%- endif %}
with

rejected as (
    {% for source_table, model in models.items() -%}
        select
            '{{ source_table }}' as source_table,
            record_id,
            rejection_reason as reason
        from {{ ref('mrr', model) }}
        where rejection_reason is not null
        union all
    {% endfor -%}
    -- Items staging kept that have no fx rate at their valid_from: rejected where
    -- the rate is looked up.
    select
        'subscription_items' as source_table,
        subscription_item_id as record_id,
        rejection_reason as reason
    from {{ ref('mrr', 'int_subscription_items_converted') }}
    where rejection_reason is not null
),

final as (
    select
        cast(source_table as {{ dbt.type_string() }}) as source_table,
        cast(record_id as {{ dbt.type_string() }}) as record_id,
        cast(reason as {{ dbt.type_string() }}) as reason
    from rejected
)

select * from final
