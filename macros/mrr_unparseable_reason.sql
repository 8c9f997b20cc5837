{#-
    The rejection reason of a raw row whose value does not parse: the first of
    `columns` (a list of [column, kind] pairs, see mrr_try_cast) that holds a
    value, not blank, which mrr_try_cast turns into null: 'unparseable <column>'.
    Null when every value parses. A null or blank value is a missing value, not an
    unparseable one (and blank counts as null for every kind).
-#}
{% macro mrr_unparseable_reason(source_table, columns) -%}
    case
        {%- for column, kind in columns %}
        when
            {{ column }} is not null
            and {{ mrr_try_cast(column, kind) }} is null
            and trim(cast({{ column }} as {{ dbt.type_string() }})) != ''
            then {{ mrr_rejection_reason(source_table, 'unparseable ' ~ column) }}
        {%- endfor %}
    end
{%- endmacro %}
