{#-
    Hooks that let one model write its text columns with DuckDB's dictionary-plus-
    FSST string compression (`dict_fsst`), which the profile otherwise disables
    (profiles.yml, MRR_DUCKDB_DISABLED_COMPRESSION): pre-hook
    `mrr_compress_text_columns(true)`, post-hook `mrr_compress_text_columns(false)`,
    which restores the profile's setting for the models after it.

    Why per model: the compression's cost and gain depend on the column. On tables
    of millions of distinct ids (the base models, int_invoice_lines_converted) it
    doubles the CPU of the write; on fct_mrr_by_plan, the largest mart, whose plan, product,
    segment, country and movement columns hold a handful of values each, the
    dictionary makes the write cheaper and the tests that read the mart after it
    faster; on int_invoice_lines_converted the write was slower with it (measured
    at scale, docs/decisions.md, "Speed"). Other warehouses: no statement (an
    empty hook runs nothing).

    When it takes effect: DuckDB compresses the row groups a statement writes to
    disk as it goes (a table of more than about 120k rows) under the setting of that
    moment, and a smaller table when the database next checkpoints, under the
    setting then, which the post-hook has restored: on the demo data the mart is
    written as before, at scale compressed. If the model fails, the post-hook does
    not run and the models after it in that run write with dict_fsst too (slower,
    same rows).
-#}
{% macro mrr_compress_text_columns(enabled) -%}
    {{ return(adapter.dispatch('mrr_compress_text_columns', 'mrr')(enabled)) }}
{%- endmacro %}

{% macro default__mrr_compress_text_columns(enabled) -%}
{%- endmacro %}

{% macro duckdb__mrr_compress_text_columns(enabled) -%}
    {%- set configured = (target.get('settings') or {}).get('disabled_compression_methods', '') -%}
    {%- set methods = configured.split(',') | map('trim') | reject('equalto', '') | list -%}
    {%- if enabled -%}
        {%- set methods = methods | reject('equalto', 'dict_fsst') | list -%}
    {%- endif -%}
    set disabled_compression_methods = '{{ methods | join(",") }}'
{%- endmacro %}
