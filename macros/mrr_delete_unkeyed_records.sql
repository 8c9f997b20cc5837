{#- Pre-hook of the incremental base models. A raw row with no key is a record
    of its own (rejected `missing key`), so delete+insert on record_id cannot
    replace it: every incremental run deletes them all and re-reads them all
    from the raw table (they are few). Nothing on a full build. -#}
{% macro mrr_delete_unkeyed_records() -%}
    {%- if this is not none and is_incremental() -%}
        delete from {{ this }} where record_id is null
    {%- endif -%}
{%- endmacro %}
