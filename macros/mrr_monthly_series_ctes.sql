{#-
    One MRR series per `series_columns` value (a customer, or a customer and plan)
    with the previous month's MRR beside each month (spec sections 5 and 6), as
    common table expressions ending with `series`; the caller writes
    `with <its imports>, {{ mrr_monthly_series_ctes(...) }}, final as (...)`.

    `items_relation` has one row per counted item with the series columns,
    monthly_amount_reporting, effective_start_date and effective_end_date (null:
    open); `months_relation` is the month spine (int_months: month, snapshot_date).
    `series` holds one row per series and month whose MRR is above 0 on the month's
    snapshot day or on the month before's (the last day of that month), with:

    - mrr: the sum of the items counting on the snapshot day, rounded once to 6
      decimals, or 0 when that sum rounds to nothing (the month the series churns);
    - previous_mrr: the same for the month before's snapshot day, which is exactly
      the mrr of the month before when the series had a row then, and 0 otherwise;
    - active_items: how many items count on the snapshot day.

    How: an item counts on the snapshot days of a run of consecutive months (from
    the month it starts, as long as it has not ended by the snapshot day), so a
    series' MRR changes only in the months where one of its items starts or stops
    counting. Each item adds its amount in its first counted month and takes it
    back in the month after its last; a running sum over those changes, per series
    in month order, gives the amount of every period between two changes, and the
    amount before the change is the previous month's. Each period then becomes its
    months by one range join with the spine, with nothing left to add up.

    Why this form: the sort runs over the changes (about two rows per item, 2.9M at
    1M customers on the long data shape), not over the 37M customer-months, and no
    step groups the customer-months. The earlier form joined every item to every
    month it covered and grouped those rows by series and month: at that size 41M
    joined rows into 37M groups, a hash aggregate that spilled under a 3 GB memory
    limit. Measured there on int_customer_mrr_monthly, same rows: 8.3-8.9 s wall /
    16 s CPU before, 5.5 s / 10 s this way, at 1.3 GB peak instead of the limit.
    The amounts are exact decimals, so a running sum equals the sum of the items.
-#}
{% macro mrr_monthly_series_ctes(items_relation, months_relation, series_columns, rebuild_scope=false) -%}
{%- set series_key = series_columns | join(', ') -%}
series_months as (
    select month
    from {{ months_relation }}
),

-- The spine's last month is the month of as_of_date, its snapshot day as_of_date.
series_bounds as (
    select
        max(month) as spine_end_month,
        max(snapshot_date) as spine_end_snapshot_date
    from {{ months_relation }}
),

-- An item counts on a snapshot day from its start day (inclusive) to its end day
-- (exclusive). Its last counting day is capped at the spine's last snapshot day, so
-- no date arithmetic runs near the far date that stands for an open end.
item_counting_days as (
    select
        {%- for column in series_columns %}
        items.{{ column }},
        {%- endfor %}
        -- An item without an amount counts as no item and no amount, as in a sum.
        coalesce(items.monthly_amount_reporting, 0) as amount,
        case when items.monthly_amount_reporting is null then 0 else 1 end as counted_items,
        cast({{ dbt.date_trunc('month', 'items.effective_start_date') }} as date) as first_counted_month,
        cast(
            {{ dbt.dateadd('day', -1, 'least(coalesce(items.effective_end_date, ' ~ mrr_open_end_date() ~ '), cast(' ~ dbt.dateadd('day', 1, 'series_bounds.spine_end_snapshot_date') ~ ' as date))') }}
            as date
        ) as last_counting_day,
        series_bounds.spine_end_month,
        series_bounds.spine_end_snapshot_date
    from {{ items_relation }} as items
    cross join series_bounds
    where items.effective_start_date <= series_bounds.spine_end_snapshot_date
),

-- The last month whose snapshot day the item covers: a month before the spine's
-- last ends on its last day, so it is the month of the last counting day when that
-- is a month's last day, and the month before otherwise.
item_counted_months as (
    select
        {%- for column in series_columns %}
        {{ column }},
        {%- endfor %}
        amount,
        counted_items,
        first_counted_month,
        case
            when last_counting_day >= spine_end_snapshot_date then spine_end_month
            when last_counting_day = cast({{ dbt.last_day('last_counting_day', 'month') }} as date)
                then cast({{ dbt.date_trunc('month', 'last_counting_day') }} as date)
            else cast({{ dbt.dateadd('month', -1, dbt.date_trunc('month', 'last_counting_day')) }} as date)
        end as last_counted_month,
        spine_end_month
    from item_counting_days
),

-- An item that ends before its first snapshot day never counts.
item_changes as (
    select
        {%- for column in series_columns %}
        {{ column }},
        {%- endfor %}
        first_counted_month as month,
        amount as amount_change,
        counted_items as items_change
    from item_counted_months
    where last_counted_month >= first_counted_month
    union all
    select
        {%- for column in series_columns %}
        {{ column }},
        {%- endfor %}
        cast({{ dbt.dateadd('month', 1, 'last_counted_month') }} as date) as month,
        0 - amount as amount_change,
        0 - counted_items as items_change
    from item_counted_months
    where
        last_counted_month >= first_counted_month
        and last_counted_month < spine_end_month
),

series_changes as (
    select
        {%- for column in series_columns %}
        {{ column }},
        {%- endfor %}
        month,
        sum(amount_change) as amount_change,
        sum(items_change) as items_change
    from item_changes
    group by {{ series_key }}, month
),

-- One row per period between two changes of a series: its amount, and the amount
-- of the period before (the running sum less this change; 0 before the first).
series_periods as (
    select
        {%- for column in series_columns %}
        {{ column }},
        {%- endfor %}
        month as start_month,
        lead(month) over (partition by {{ series_key }} order by month) as next_change_month,
        sum(amount_change) over (
            partition by {{ series_key }} order by month rows between unbounded preceding and current row
        ) as amount,
        sum(items_change) over (
            partition by {{ series_key }} order by month rows between unbounded preceding and current row
        ) as active_items,
        amount_change
    from series_changes
),

-- The rounded MRR is above 0 exactly when the sum is at least half the last unit
-- (half away from zero), so the filters compare sums and each amount is rounded
-- once. A period with MRR spans its months; a period without MRR after one with
-- MRR is a churn: one row, its first month. Other periods without MRR have no rows.
series_period_amounts as (
    select
        {%- for column in series_columns %}
        {{ column }},
        {%- endfor %}
        start_month,
        case
            when amount >= 0.0000005 then coalesce(next_change_month, {{ mrr_open_end_date() }})
            else cast({{ dbt.dateadd('month', 1, 'start_month') }} as date)
        end as end_month,
        case
            -- The spec's only rounding: 6 decimals, so equal values compare equal.
            when amount >= 0.0000005 then {{ mrr_round_money('amount') }}
            else cast(0 as {{ mrr_money_type() }})
        end as mrr,
        case
            when amount - amount_change >= 0.0000005 then {{ mrr_round_money('amount - amount_change') }}
            else cast(0 as {{ mrr_money_type() }})
        end as previous_mrr,
        cast(active_items as {{ dbt.type_bigint() }}) as active_items
    from series_periods
    where
        amount >= 0.0000005
        or amount - amount_change >= 0.0000005
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
    select series_months.month
    from series_months
    inner join {{ ref('int_series_rebuild_scope') }} as rebuild_scope
        on series_months.month = rebuild_scope.month
),

periods_of_scoped_customers as (
    select periods.*
    from series_period_amounts as periods
    inner join scoped_customers
        on periods.customer_id = scoped_customers.customer_id
),

periods_of_other_customers as (
    select periods.*
    from series_period_amounts as periods
    left join scoped_customers
        on periods.customer_id = scoped_customers.customer_id
    where scoped_customers.customer_id is null
),

series as (
    {{ mrr_series_period_months('periods_of_scoped_customers', 'series_months', series_columns) }}
    union all
    {{ mrr_series_period_months('periods_of_other_customers', 'scoped_months', series_columns) }}
)
{%- else %}
series as (
    {{ mrr_series_period_months('series_period_amounts', 'series_months', series_columns) }}
)
{%- endif %}
{%- endmacro %}
