{% macro stripe_three_decimal_currencies() -%}
    {{ return(['BHD', 'JOD', 'KWD', 'OMR', 'TND']) }}
{%- endmacro %}
