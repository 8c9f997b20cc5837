{#- The one text format per kind (anchored regular expressions, POSIX and RE2 alike). -#}
{% macro mrr_text_pattern(kind) -%}
    {%- set day = '[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])' -%}
    {%- set patterns = {
        'integer': '^\\s*[+-]?[0-9]{1,9}([.]0*)?\\s*$',
        'decimal': '^\\s*[+-]?([0-9]{1,20}([.][0-9]*)?|[.][0-9]+)\\s*$',
        'timestamp': '^\\s*' ~ day ~ '([ T]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]{1,9})?)?)?(Z|[+-]00(:?00)?)?\\s*$',
        'boolean': '^\\s*(true|false|t|f|yes|no|1|0)\\s*$',
    } -%}
    {%- do patterns.update({'date': patterns['timestamp']}) -%}
    {{- return(patterns[kind]) -}}
{%- endmacro %}
