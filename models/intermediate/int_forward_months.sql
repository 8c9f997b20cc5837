-- One row per forward month (spec section 9): the var mrr_forward_months months
-- after the month of as_of_date, numbered from 1 (months_ahead), each with its
-- snapshot day, the month's last day.
with

month_offsets as (
    {{ dbt.generate_series(mrr_forward_months()) }}
),

as_of as (
    select cast({{ dbt.date_trunc('month', mrr_as_of_date()) }} as date) as as_of_month
),

months as (
    select
        cast(month_offsets.generated_number as {{ dbt.type_int() }}) as months_ahead,
        cast({{ dbt.dateadd('month', 'month_offsets.generated_number', 'as_of.as_of_month') }} as date) as month
    from month_offsets
    cross join as_of
),

final as (
    select
        month,
        months_ahead,
        cast({{ dbt.last_day('month', 'month') }} as date) as snapshot_date
    from months
)

select * from final
