{#- The kind of a column type, for a contract type or a warehouse's own type name:
    text, integer, decimal, timestamp, date, boolean, null (DuckDB's type of a
    column made by `select null as x`, listed as "NULL" with the quotes), or the
    type itself when unknown. -#}
{% macro mrr_type_kind(data_type) -%}
    {%- set name = (data_type | string | lower | trim) -%}
    {%- set kinds = [
        ('text', '^(n?varchar|varchar2|nvarchar2|text|string|n?char|character|bpchar|clob)\\b'),
        ('integer', '^(u?tinyint|u?smallint|u?int|u?integer|u?bigint|u?hugeint|int2|int4|int8|int64|byteint|(small|big)?serial)\\b'),
        ('decimal', '^(decimal|numeric|number|bignumeric|float|float4|float8|float64|double|real)\\b'),
        ('timestamp', '^(timestamp|datetime)'),
        ('date', '^date$'),
        ('boolean', '^bool(ean)?$'),
        ('null', '^"?null"?$'),
    ] -%}
    {%- for kind, pattern in kinds -%}
        {%- if modules.re.match(pattern, name) -%}
            {{- return(kind) -}}
        {%- endif -%}
    {%- endfor -%}
    {{- return(name) -}}
{%- endmacro %}
