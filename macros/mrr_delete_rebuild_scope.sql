{#- Pre-hook of the incremental customer series: deletes the rows in this run's scope,
    which the model then appends again from its inputs. Every appended row is inside
    the scope and the appended rows are the months of a series' periods, which never
    share a month, so the grain holds by construction. Refuses a scope table that
    another run wrote (a series model run without int_series_rebuild_scope, e.g.
    `--select fct_mrr` after new data): its scope would leave changed customers
    stale. Nothing on a full build. -#}
{% macro mrr_delete_rebuild_scope() -%}
    {%- if this is not none and is_incremental() -%}
        {%- if execute -%}
            {%- set stamped = run_query(
                "select count(*) from " ~ ref('mrr', 'int_series_rebuild_scope')
                ~ " where scoped_at = " ~ mrr_processed_at()).columns[0].values()[0] -%}
            {%- if stamped | int == 0 -%}
                {{ exceptions.raise_compiler_error(
                    this.identifier ~ " is incremental and needs int_series_rebuild_scope built in the same run: "
                    ~ "select it too (e.g. `dbt build --select +" ~ this.identifier ~ "`) or run with --full-refresh") }}
            {%- endif -%}
        {%- endif -%}
        delete from {{ this }} where {{ mrr_in_rebuild_scope() }}
    {%- endif -%}
{%- endmacro %}
