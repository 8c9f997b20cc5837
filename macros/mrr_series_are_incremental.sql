{#- Whether the customer series marts (fct_mrr, fct_mrr_by_plan) are incremental on
    this warehouse: where the base models
    are (DuckDB, PostgreSQL); plain tables elsewhere. -#}
{% macro mrr_series_are_incremental() -%}
    {{ return(target.type in ('duckdb', 'postgres')) }}
{%- endmacro %}
