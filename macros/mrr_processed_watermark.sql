{#-
    The newest version already processed, per incremental base table (a union of
    one-row selects; the caller takes the max): this table and every other base
    table that exists. Versions dated after the run's start do not count, so one
    row dated in the future cannot stop the window from moving. The other tables
    are read without ref() (they are this model's children or siblings: a ref
    would be a cycle) and may be rewritten by this same run meanwhile; a record
    changed in this run (changed_at = the run's start) is left out, so the
    watermark is never later than the one the previous run left, only earlier
    (a wider window: more rows re-read, none missed).
-#}
{% macro mrr_processed_watermark() -%}
    {%- set model_name = model.name if model is defined and model is not none else this.identifier -%}
    select max(updated_at) as newest_version
    from {{ this }}
    where updated_at <= {{ mrr_processed_at() }}
    {%- for model in mrr_base_models().values() if model != model_name and model != 'base_billing__fx_rates' %}
        {%- set relation = mrr_own_relation(model) %}
        {#- A table from before changed_at existed needs a full refresh anyway
            (on_schema_change: fail says so); until then it is not asked. -#}
        {%- if relation is not none and 'changed_at' in (adapter.get_columns_in_relation(relation)
            | map(attribute='name') | map('lower') | list) %}
    union all
    select max(updated_at) as newest_version
    from {{ relation }}
    where updated_at <= {{ mrr_processed_at() }} and changed_at < {{ mrr_processed_at() }}
        {%- endif %}
    {%- endfor %}
{%- endmacro %}
