{#- The end of the period an event effective at `from_column` pays for: calendar
    months for month, quarter (3) and year (12), 7 days a week (docs/events.md). -#}
{% macro events_add_billing_period(from_column, interval_column, count_column) -%}
    case {{ interval_column }}
        when 'day' then {{ dbt.dateadd('day', count_column, from_column) }}
        when 'week' then {{ dbt.dateadd('day', '7 * ' ~ count_column, from_column) }}
        when 'month' then {{ dbt.dateadd('month', count_column, from_column) }}
        when 'quarter' then {{ dbt.dateadd('month', '3 * ' ~ count_column, from_column) }}
        when 'year' then {{ dbt.dateadd('month', '12 * ' ~ count_column, from_column) }}
    end
{%- endmacro %}
