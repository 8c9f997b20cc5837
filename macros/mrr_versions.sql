{#-
    Latest-version-wins bookkeeping shared by the base models (spec section 2:
    "the one with the latest updated_at wins; rows equal in key and updated_at
    are identical copies").

    Returns a select over `relation` with three extra columns:
      version_rank        1 on the winning row of each key
      duplicate_copies    on the winner: other rows with the same key and updated_at
      superseded_versions on the winner: rows of the key with an older updated_at
    A null key is never grouped: each such row is its own record (rejected later as
    `missing key`), so no row disappears into someone else's versions.
-#}
{% macro mrr_rank_versions(relation, key_column='record_id', version_column='updated_at') -%}
    select
        *,
        case
            when {{ key_column }} is null then 1
            else row_number() over (
                partition by {{ key_column }}
                order by {{ version_column }} desc nulls last
            )
        end as version_rank,
        case
            when {{ key_column }} is null then 0
            else count(*) over (partition by {{ key_column }}, {{ version_column }}) - 1
        end as duplicate_copies,
        case
            when {{ key_column }} is null then 0
            else count(*) over (partition by {{ key_column }})
                - count(*) over (partition by {{ key_column }}, {{ version_column }})
        end as superseded_versions
    from {{ relation }}
{%- endmacro %}

{#-
    Exclusion inherited from a parent record: a child of a soft-deleted record is
    gone with it, a child of a test customer is left out with it.
-#}
{% macro mrr_inherited_exclusion(parent_exclusion_column) -%}
    case
        when {{ parent_exclusion_column }} in ('soft deleted', 'parent soft deleted') then 'parent soft deleted'
        when {{ parent_exclusion_column }} = 'test customer' then 'test customer'
    end
{%- endmacro %}
