{#-
    Where a line's version ends and the next version of the same line begins
    (`valid_to` = `valid_from`, equal in every column of `line`), at least one of
    `terms` differs (nulls count as 0): a version that changes nothing would only
    re-lock its exchange rate (spec section 3). Fails with one row per such pair.
-#}
{% test mrr_consecutive_versions_differ(model, line, terms) %}
    select
        later_version.{{ line | join(', later_version.') }},
        later_version.valid_from
    from {{ model }} as earlier_version
    inner join {{ model }} as later_version
        on
            earlier_version.valid_to = later_version.valid_from
            {%- for column in line %}
            and earlier_version.{{ column }} = later_version.{{ column }}
            {%- endfor %}
    where
        {%- for column in terms %}
        coalesce(earlier_version.{{ column }}, 0) = coalesce(later_version.{{ column }}, 0)
        {%- if not loop.last %} and{% endif %}
        {%- endfor %}
{% endtest %}
