{#- One billing period of a price after `from_column` (for coupons of duration once). -#}
{% macro stripe_add_billing_period(from_column, interval_column, count_column) -%}
    case {{ interval_column }}
        when 'day' then {{ dbt.dateadd('day', count_column, from_column) }}
        when 'week' then {{ dbt.dateadd('day', '7 * ' ~ count_column, from_column) }}
        when 'month' then {{ dbt.dateadd('month', count_column, from_column) }}
        when 'year' then {{ dbt.dateadd('year', count_column, from_column) }}
    end
{%- endmacro %}
