{{ config(grants=mrr_reader_grants()) }}
-- One row per raw table and disposition: how many raw rows were kept, set aside as
-- older versions or copies, excluded by a named rule, or rejected; and rows no
-- base model has read (`not read`), which assert_every_raw_row_accounted_for
-- fails on: every run reads every raw row it has not read before. From subscription
-- events the raw rows are the events and fx_rates
-- (macros/mrr_accounted_models.sql).
with

raw_counts as (
    {% for source_table in mrr_accounted_models().keys() -%}
        select
            '{{ source_table }}' as source_table,
            count(*) as raw_rows
        from {{ mrr_accounted_raw_relation(source_table) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

{%- set items_accounted = 'subscription_items' in mrr_accounted_models() %}
{%- if items_accounted %}

    -- Items staging kept that have no fx rate at their valid_from: rejected where the
    -- rate is looked up (int_subscription_items_converted). Few rows.
    conversion_rejections as (
        select subscription_item_id as record_id
        from {{ ref('mrr', 'int_subscription_items_converted') }}
        where rejection_reason is not null
    ),
{%- endif %}

records as (
    {% for source_table, model in mrr_accounted_models().items() if source_table != 'subscription_items' -%}
        select
            '{{ source_table }}' as source_table,
            -- Exclusion first: a gone record is not also validated.
            case
                when exclusion_reason is not null then exclusion_reason
                when rejection_reason is not null then 'rejected'
                else 'kept'
            end as disposition,
            duplicate_copies,
            superseded_versions,
            {{ 'conflicting_rows' if source_table == 'fx_rates' else '0' }} as conflicting_rows
        from {{ ref('mrr', model) }}
        {% if items_accounted or not loop.last %}union all{% endif %}
    {% endfor -%}
    {%- if items_accounted %}
        select
            'subscription_items' as source_table,
            case
                when items.exclusion_reason is not null then items.exclusion_reason
                when items.rejection_reason is not null then 'rejected'
                when conversion_rejections.record_id is not null then 'rejected'
                else 'kept'
            end as disposition,
            items.duplicate_copies,
            items.superseded_versions,
            0 as conflicting_rows
        from {{ ref('mrr', 'base_billing__subscription_items') }} as items
        left join conversion_rejections
            on items.record_id = conversion_rejections.record_id
    {%- endif %}
),

-- Records counted per disposition, with the raw rows they stand for beside them,
-- so that each base model is read once: unpivoting every record into four rows
-- before grouping would read each base table four times.
dispositions as (
    select
        source_table,
        disposition,
        count(*) as winning_rows,
        sum(duplicate_copies) as duplicate_copies,
        sum(superseded_versions) as superseded_versions,
        sum(conflicting_rows) as conflicting_rows
    from records
    group by source_table, disposition
),

row_counts as (
    -- The winning row of each record, in the record's disposition.
    select
        source_table,
        disposition,
        winning_rows as row_count
    from dispositions
    union all
    select
        source_table,
        'duplicate copy' as disposition,
        duplicate_copies as row_count
    from dispositions
    union all
    select
        source_table,
        'superseded version' as disposition,
        superseded_versions as row_count
    from dispositions
    union all
    -- The other rows of an fx key with conflicting rates are rejected with it.
    select
        source_table,
        'rejected' as disposition,
        conflicting_rows as row_count
    from dispositions
),

read_rows as (
    select
        source_table,
        sum(row_count) as read_rows
    from row_counts
    group by source_table
),

-- Raw rows no base model has read: none, unless an incremental run missed some.
unread_rows as (
    select
        raw_counts.source_table,
        'not read' as disposition,
        raw_counts.raw_rows - coalesce(read_rows.read_rows, 0) as row_count
    from raw_counts
    left join read_rows
        on raw_counts.source_table = read_rows.source_table
    where raw_counts.raw_rows > coalesce(read_rows.read_rows, 0)
),

all_rows as (
    select
        source_table,
        disposition,
        row_count
    from row_counts
    union all
    select
        source_table,
        disposition,
        row_count
    from unread_rows
),

final as (
    select
        cast(source_table as {{ dbt.type_string() }}) as source_table,
        cast(disposition as {{ dbt.type_string() }}) as disposition,
        cast(sum(row_count) as {{ dbt.type_bigint() }}) as row_count
    from all_rows
    group by source_table, disposition
)

select * from final
