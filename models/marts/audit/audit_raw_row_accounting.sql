-- One row per raw table and disposition: how many raw rows were kept, set aside as
-- older versions or copies, excluded by a named rule, or rejected.
with

records as (
    {% for source_table, model in mrr_base_models().items() -%}
        select
            '{{ source_table }}' as source_table,
            case
                when rejection_reason is not null then 'rejected'
                when exclusion_reason is not null then exclusion_reason
                else 'kept'
            end as disposition,
            duplicate_copies,
            superseded_versions
        from {{ ref(model) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

row_counts as (
    select
        source_table,
        disposition,
        count(*) as row_count
    from records
    group by source_table, disposition
    union all
    select
        source_table,
        'duplicate copy' as disposition,
        sum(duplicate_copies) as row_count
    from records
    group by source_table
    union all
    select
        source_table,
        'superseded version' as disposition,
        sum(superseded_versions) as row_count
    from records
    group by source_table
),

final as (
    select
        cast(source_table as {{ dbt.type_string() }}) as source_table,
        cast(disposition as {{ dbt.type_string() }}) as disposition,
        cast(row_count as {{ dbt.type_bigint() }}) as row_count
    from row_counts
)

select * from final
