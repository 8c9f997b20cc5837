{#-
    The periods of constant MRR of one series per `series_columns` value (a
    customer, or a customer and plan), as common table expressions of which the
    last is named `name` (the caller's name; the helper CTEs before it are
    prefixed with it): one row per series and period between two changes of its
    items, with start_month, end_month (exclusive: the months of its rows), mrr,
    previous_mrr (the MRR of the month before start_month) and the series'
    first_paying_month. The model that calls it turns the periods into months and
    classifies the movements (fct_mrr, fct_mrr_by_plan).

    `items_relation` has one row per counted item with the series columns,
    monthly_amount_reporting, effective_start_date and effective_end_date (null:
    open); `bounds_relation` is one row with the month spine's spine_end_month and
    spine_end_snapshot_date (the month of as_of_date and as_of_date).
    `carried_columns` are attributes of a series (one value per series, such as its
    plan's name), carried from the items to every period.

    How: an item counts on the snapshot days of a run of consecutive months (from
    the month it starts, as long as it has not ended by the snapshot day), so a
    series' MRR changes only in the months where one of its items starts or stops
    counting. Each item adds its amount in its first counted month and takes it
    back in the month after its last; a running sum over those changes, per series
    in month order, gives the amount of every period between two changes, and the
    amount before the change is the previous month's. A period with MRR spans its
    months; a period without MRR right after one with MRR is a churn, one row in
    its first month; other periods without MRR have no rows.

    Why this form: the sort runs over the changes (about two rows per item), not
    over the customer-months (ten or more per customer), and no step groups the
    customer-months. Joining every item to every month it covers and grouping those
    rows by series and month gives the same rows, but its hash aggregate holds a
    group per customer-month and spills to disk at scale (docs/decisions.md, "MRR
    series from periods of constant MRR"). The amounts are exact decimals, so a running sum equals the sum of the items.
-#}
{% macro mrr_series_periods_ctes(name, items_relation, bounds_relation, series_columns, carried_columns=[]) -%}
{%- set series_key = series_columns | join(', ') -%}
{%- set columns = series_columns + carried_columns -%}
-- An item counts on a snapshot day from its start day (inclusive) to its end day
-- (exclusive). Its last counting day is capped at the spine's last snapshot day, so
-- no date arithmetic runs near the far date that stands for an open end.
{{ name }}_item_counting_days as (
    select
        {%- for column in columns %}
        items.{{ column }},
        {%- endfor %}
        -- An item without an amount counts as no item and no amount, as in a sum.
        coalesce(items.monthly_amount_reporting, 0) as amount,
        cast({{ dbt.date_trunc('month', 'items.effective_start_date') }} as date) as first_counted_month,
        cast(
            {{ dbt.dateadd('day', -1, 'least(coalesce(items.effective_end_date, ' ~ mrr_open_end_date() ~ '), cast(' ~ dbt.dateadd('day', 1, 'bounds.spine_end_snapshot_date') ~ ' as date))') }}
            as date
        ) as last_counting_day,
        bounds.spine_end_month,
        bounds.spine_end_snapshot_date
    from {{ items_relation }} as items
    cross join {{ bounds_relation }} as bounds
    where items.effective_start_date <= bounds.spine_end_snapshot_date
),

-- The last month whose snapshot day the item covers: a month before the spine's
-- last ends on its last day, so it is the month of the last counting day when that
-- is a month's last day, and the month before otherwise.
{{ name }}_item_counted_months as (
    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        amount,
        first_counted_month,
        case
            when last_counting_day >= spine_end_snapshot_date then spine_end_month
            when last_counting_day = cast({{ dbt.last_day('last_counting_day', 'month') }} as date)
                then cast({{ dbt.date_trunc('month', 'last_counting_day') }} as date)
            else cast({{ dbt.dateadd('month', -1, dbt.date_trunc('month', 'last_counting_day')) }} as date)
        end as last_counted_month,
        spine_end_month
    from {{ name }}_item_counting_days
),

-- An item that ends before its first snapshot day never counts.
{{ name }}_item_changes as (
    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        first_counted_month as month,
        amount as amount_change
    from {{ name }}_item_counted_months
    where last_counted_month >= first_counted_month
    union all
    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        cast({{ dbt.dateadd('month', 1, 'last_counted_month') }} as date) as month,
        -amount as amount_change
    from {{ name }}_item_counted_months
    where
        last_counted_month >= first_counted_month
        and last_counted_month < spine_end_month
),

{{ name }}_series_changes as (
    select
        {%- for column in series_columns %}
        {{ column }},
        {%- endfor %}
        {%- for column in carried_columns %}
        -- One value per series (an attribute of it): max() carries it through.
        max({{ column }}) as {{ column }},
        {%- endfor %}
        month,
        sum(amount_change) as amount_change
    from {{ name }}_item_changes
    group by {{ series_key }}, month
),

-- One row per period between two changes of a series: its amount, and the amount
-- of the period before (0 before the first).
{{ name }}_series_periods as (
    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        month as start_month,
        lead(month) over (partition by {{ series_key }} order by month) as next_change_month,
        sum(amount_change) over (
            partition by {{ series_key }} order by month rows between unbounded preceding and current row
        ) as amount,
        -- A sum of its own rather than the running sum less this change: a
        -- difference of two decimal(38, 12) needs 39 digits, which Spark rounds to
        -- 11 decimals unless allowPrecisionLoss is off.
        coalesce(
            sum(amount_change) over (
                partition by {{ series_key }} order by month rows between unbounded preceding and 1 preceding
            ),
            cast(0 as {{ mrr_amount_type() }})
        ) as previous_amount
    from {{ name }}_series_changes
),

-- A month with MRR after one without is new only in the series' first month with
-- MRR, and a reactivation after that (spec section 6).
{{ name }}_series_periods_with_first_month as (
    select
        *,
        min(case when amount >= 0.0000005 then start_month end) over (
            partition by {{ series_key }}
        ) as first_paying_month
    from {{ name }}_series_periods
),

-- The rounded MRR is above 0 exactly when the sum is at least half the last unit
-- (half away from zero), so the filters compare sums and each amount is rounded
-- once. A period with MRR spans its months; a period without MRR after one with
-- MRR is a churn: one row, its first month. Other periods without MRR have no rows.
{{ name }} as (
    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        start_month,
        first_paying_month,
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
            when previous_amount >= 0.0000005 then {{ mrr_round_money('previous_amount') }}
            else cast(0 as {{ mrr_money_type() }})
        end as previous_mrr
    from {{ name }}_series_periods_with_first_month
    where
        amount >= 0.0000005
        or previous_amount >= 0.0000005
)
{%- endmacro %}
