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
