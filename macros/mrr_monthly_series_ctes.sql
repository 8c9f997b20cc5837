{#-
    One MRR series per `series_columns` value (a customer, or a customer and plan)
    with the previous month's MRR beside each month (spec sections 5 and 6), as
    common table expressions. Emits `series_months`, `items_on_snapshot_days` and
    `series`; the caller writes
    `with <its imports>, {{ mrr_monthly_series_ctes(...) }}, final as (...)`.

    `items_relation` has one row per counted item with the series columns,
    monthly_amount_reporting, effective_start_date and effective_end_date (null:
    open); `months_relation` is the month spine (int_months). `series` holds one
    row per series and month whose MRR is above 0 on the month's snapshot day or
    on the month before's (the last day of that month), with:

    - mrr: the sum of the items counting on the snapshot day, rounded once to 6
      decimals, or 0 when that sum rounds to nothing (the month the series churns);
    - previous_mrr: the same for the month before's snapshot day, which is exactly
      the mrr of the month before when the series had a row then, and 0 otherwise;
    - active_items: how many items count on the snapshot day.

    Why both months from one join and no window: each item is joined to the months
    whose snapshot day or previous snapshot day it covers, once, and one hash
    aggregate sums both. The earlier form (active months only, then a lag/lead
    window to find the month before) sorted every series; measured at 300k
    customers on the long data shape with a 1 GB memory limit, the series and
    movements of the customer-and-plan series took 33 CPU seconds that way and
    22-24 this way, with the same rows. The first month of the spine has no month
    before in it: no item can count before the spine starts (int_months begins
    with the first item), so its previous_mrr is 0 as it should be.
-#}
{% macro mrr_monthly_series_ctes(items_relation, months_relation, series_columns, rebuild_scope=false) -%}
series_months as (
    select
        month,
        snapshot_date,
        -- The month before is never the month of as_of_date, so its snapshot day is
        -- its last day.
        cast({{ dbt.dateadd('day', -1, 'month') }} as date) as previous_snapshot_date
    from {{ months_relation }}
),

{%- if rebuild_scope and this is not none and is_incremental() %}
-- An incremental run computes the rows in its scope only (int_series_rebuild_scope):
-- every month of the customers whose inputs changed, and every customer in the
-- months whose snapshot day moved. Two range joins, so neither becomes a join on
-- an OR.
scoped_customers as (
    select distinct customer_id
    from {{ ref('int_series_rebuild_scope') }}
    where customer_id is not null
),

scoped_months as (
    select series_months.*
    from series_months
    inner join {{ ref('int_series_rebuild_scope') }} as rebuild_scope
        on series_months.month = rebuild_scope.month
),

items_of_scoped_customers as (
    select items.*
    from {{ items_relation }} as items
    inner join scoped_customers
        on items.customer_id = scoped_customers.customer_id
),

items_of_other_customers as (
    select items.*
    from {{ items_relation }} as items
    left join scoped_customers
        on items.customer_id = scoped_customers.customer_id
    where scoped_customers.customer_id is null
),

items_on_snapshot_days as (
    {{ mrr_items_on_snapshot_days('items_of_scoped_customers', 'series_months', series_columns) }}
    union all
    {{ mrr_items_on_snapshot_days('items_of_other_customers', 'scoped_months', series_columns) }}
),
{%- else %}
items_on_snapshot_days as (
    {{ mrr_items_on_snapshot_days(items_relation, 'series_months', series_columns) }}
),
{%- endif %}

-- The rounded MRR is above 0 exactly when the sum is at least half the last unit
-- (half away from zero). Comparing the sums, not the rounded values, rounds each of
-- millions of 128-bit decimals once instead of twice.
series as (
    select
        month,
        {%- for column in series_columns %}
        {{ column }},
        {%- endfor %}
        case
            when sum(amount_on_snapshot_day) >= 0.0000005
                -- The spec's only rounding: 6 decimals, so equal values compare equal.
                then {{ mrr_round_money('sum(amount_on_snapshot_day)') }}
            else cast(0 as {{ mrr_money_type() }})
        end as mrr,
        case
            when sum(amount_on_previous_snapshot_day) >= 0.0000005
                then {{ mrr_round_money('sum(amount_on_previous_snapshot_day)') }}
            else cast(0 as {{ mrr_money_type() }})
        end as previous_mrr,
        count(amount_on_snapshot_day) as active_items
    from items_on_snapshot_days
    group by month, {{ series_columns | join(', ') }}
    having
        sum(amount_on_snapshot_day) >= 0.0000005
        or sum(amount_on_previous_snapshot_day) >= 0.0000005
)
{%- endmacro %}
