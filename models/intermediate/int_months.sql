-- One row per month from the first month any item counts or any invoice is
-- included, through the month of as_of_date, with the month's snapshot day
-- (spec section 5: the last day, or as_of_date in its own month).
with

items as (
    select * from {{ ref('mrr', 'int_subscription_items_active') }}
),

invoice_lines as (
    select * from {{ ref('mrr', 'int_invoice_lines_converted') }}
),

first_activity as (
    select min(first_month) as first_month
    from (
        select cast({{ dbt.date_trunc('month', 'min(effective_start_date)') }} as date) as first_month
        from items
        union all
        select min(issued_month) as first_month
        from invoice_lines
    ) as candidates
),

as_of as (
    select
        {{ mrr_as_of_date() }} as as_of_date,
        cast({{ dbt.date_trunc('month', mrr_as_of_date()) }} as date) as as_of_month
),

-- 2,400 months (200 years) back from as_of_date bound the spine; a longer history
-- would fail the test on this model rather than lose months silently.
month_offsets as (
    {{ dbt.generate_series(2400) }}
),

months as (
    select
        cast({{ dbt.dateadd('month', '1 - month_offsets.generated_number', 'as_of.as_of_month') }} as date) as month,
        as_of.as_of_date,
        as_of.as_of_month
    from month_offsets
    cross join as_of
),

final as (
    select
        months.month,
        case
            when months.month = months.as_of_month then months.as_of_date
            else cast({{ dbt.last_day('months.month', 'month') }} as date)
        end as snapshot_date,
        months.month = months.as_of_month as is_as_of_month
    from months
    inner join first_activity
        on months.month >= first_activity.first_month
)

select * from final
