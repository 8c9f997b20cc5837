{{ config(grants=mrr_reader_grants()) }}
-- One row per cohort and month, from the cohort month through the month of
-- as_of_date (spec section 8). A customer's cohort is the month of its `new` row in
-- fct_mrr: the first month it ever had MRR above 0.
with

mrr as (
    select * from {{ ref('mrr', 'fct_mrr') }}
),

months as (
    select * from {{ ref('mrr', 'int_months') }}
),

cohort_members as (
    select
        customer_id,
        month as cohort_month,
        mrr as starting_mrr
    from mrr
    where movement_type = 'new'
),

cohorts as (
    select
        cohort_month,
        count(*) as cohort_customers,
        sum(starting_mrr) as cohort_starting_mrr
    from cohort_members
    group by cohort_month
),

-- Every month of every cohort, so a month in which nobody of the cohort pays still
-- shows, with zero retention.
cohort_months as (
    select
        cohorts.cohort_month,
        months.month,
        cohorts.cohort_customers,
        cohorts.cohort_starting_mrr
    from cohorts
    inner join months
        on cohorts.cohort_month <= months.month
),

member_months as (
    select
        cohort_members.cohort_month,
        mrr.month,
        count(*) as active_customers,
        sum(mrr.mrr) as mrr,
        -- Gross retention caps each customer at its starting MRR: expansion is not
        -- allowed to hide another customer's loss.
        sum(
            case
                when mrr.mrr < cohort_members.starting_mrr then mrr.mrr
                else cohort_members.starting_mrr
            end
        ) as capped_mrr
    from mrr
    inner join cohort_members
        on mrr.customer_id = cohort_members.customer_id
    where mrr.mrr > 0
    group by cohort_members.cohort_month, mrr.month
),

joined as (
    select
        cohort_months.cohort_month,
        cohort_months.month,
        cohort_months.cohort_customers,
        cohort_months.cohort_starting_mrr,
        coalesce(member_months.active_customers, 0) as active_customers,
        coalesce(member_months.mrr, 0) as mrr,
        coalesce(member_months.capped_mrr, 0) as capped_mrr
    from cohort_months
    left join member_months
        on
            cohort_months.cohort_month = member_months.cohort_month
            and cohort_months.month = member_months.month
),

final as (
    select
        cast(cohort_month as date) as cohort_month,
        cast(month as date) as month,
        -- noqa: disable=LT05
        cast({{ dbt.datediff('cohort_month', 'month', 'month') }} as {{ dbt.type_int() }}) as months_since_start,
        -- noqa: enable=LT05
        cast(cohort_customers as {{ dbt.type_int() }}) as cohort_customers,
        cast(cohort_starting_mrr as {{ mrr_money_type() }}) as cohort_starting_mrr,
        cast(active_customers as {{ dbt.type_int() }}) as active_customers,
        cast(mrr as {{ mrr_money_type() }}) as mrr,
        cast(active_customers * 1.0 / nullif(cohort_customers, 0) as {{ mrr_ratio_type() }}) as logo_retention,
        cast(mrr / nullif(cohort_starting_mrr, 0) as {{ mrr_ratio_type() }}) as net_mrr_retention,
        cast(capped_mrr / nullif(cohort_starting_mrr, 0) as {{ mrr_ratio_type() }}) as gross_mrr_retention
    from joined
)

select * from final
