{#-
    Hooks that let one model write its text columns with DuckDB's dictionary-plus-
    FSST string compression (`dict_fsst`), which the profile otherwise disables
    (profiles.yml, MRR_DUCKDB_DISABLED_COMPRESSION): pre-hook
    `mrr_compress_text_columns(true)`, post-hook `mrr_compress_text_columns(false)`,
    which restores the profile's setting for the models after it.

    Why per model: the compression's cost and gain depend on the column. On tables
    of millions of distinct ids (the base models, int_invoice_lines_converted) it
    doubles the CPU of the write; on fct_mrr_by_plan, 40M rows whose plan, product,
    segment, country and movement columns hold a handful of values each, the
    dictionary makes the write cheaper and the tests that read the mart after it
    faster. Measured at 1M customers (DuckDB 2.0, 3 GB limit, alternating runs on
    one machine): writing fct_mrr_by_plan 5.0-5.6 s wall with it against 6.4-7.6 s
    without (standard shape), the mart's node 14.9-16.2 s against 18.9 s (long
    shape); writing int_invoice_lines_converted 3.8-5.1 s with it against 3.1 s
    without. Other warehouses: no statement (an empty hook runs nothing).

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
