{#-
    The grain test: no two rows share the same values in `combination`.
    Written here because dbt packages cannot be installed on these machines.
    Fails with one row per duplicated key.
-#}
{% test mrr_unique_combination_of_columns(model, combination) %}
    select
        {{ combination | join(', ') }},
        count(*) as rows_with_this_key
    from {{ model }}
    group by {{ combination | join(', ') }}
    having count(*) > 1
{% endtest %}
