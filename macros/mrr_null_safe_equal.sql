{#- True when both are null or both equal, false otherwise (never null): `is not
    distinct from`, spelled the way every warehouse reads. -#}
{% macro mrr_null_safe_equal(left, right) -%}
    (coalesce({{ left }} = {{ right }}, false) or ({{ left }} is null and {{ right }} is null))
{%- endmacro %}
