{#-
    One MRR series per `series_columns` value (a customer, or a customer and plan)
    as common table expressions ending with `series`: the periods of constant MRR
    (macro mrr_series_periods_ctes, where the method and why it is fast are
    written down) turned into months (macro mrr_series_months_ctes). The caller
    writes `with <its imports>, {{ mrr_monthly_series_ctes(...) }}, final as (...)`.

    `series` holds one row per series and month whose MRR is above 0 on the month's
    snapshot day or on the month before's (the last day of that month), with:

    - mrr: the sum of the items counting on the snapshot day, rounded once to 6
      decimals, or 0 when that sum rounds to nothing (the month the series churns);
    - previous_mrr: the same for the month before's snapshot day, which is exactly
      the mrr of the month before when the series had a row then, and 0 otherwise;
    - active_items: how many items count on the snapshot day;
    - movement_type and movement_amount (spec section 6).
-#}
{% macro mrr_monthly_series_ctes(items_relation, months_relation, series_columns, rebuild_scope=false) -%}
{{ mrr_series_periods_ctes(items_relation, months_relation, series_columns) }},

{{ mrr_series_months_ctes('series_period_amounts', series_columns, rebuild_scope=rebuild_scope) }}
{%- endmacro %}
