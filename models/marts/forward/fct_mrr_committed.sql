{{ config(grants=mrr_reader_grants()) }}
-- One row per forward month (spec section 9.1): the contracted forward book, the
-- MRR bridge of fct_mrr_movements over the customers' committed MRR
-- (int_customer_mrr_forward), and the part of closing MRR that rests on trials not
-- yet converted on as_of_date.
with

customer_months as (
    select * from {{ ref('mrr', 'int_customer_mrr_forward') }}
),

forward_months as (
    select * from {{ ref('mrr', 'int_forward_months') }}
),

items as (
    select * from {{ ref('mrr', 'int_subscription_items_active') }}
),

subscriptions as (
    select * from {{ ref('mrr', 'stg_billing__subscriptions') }}
),

monthly as (
    select
        months_ahead,
        sum(previous_mrr) as opening_mrr,
        sum(case when movement_type = 'new' then movement_amount else 0 end) as new_mrr,
        sum(case when movement_type = 'expansion' then movement_amount else 0 end) as expansion_mrr,
        sum(case when movement_type = 'contraction' then movement_amount else 0 end) as contraction_mrr,
        sum(case when movement_type = 'churn' then movement_amount else 0 end) as churned_mrr,
        sum(case when movement_type = 'reactivation' then movement_amount else 0 end) as reactivation_mrr,
        sum(movement_amount) as net_new_mrr,
        sum(mrr) as closing_mrr,
        sum(case when previous_mrr > 0 then 1 else 0 end) as opening_customers,
        sum(case when movement_type = 'new' then 1 else 0 end) as new_customers,
        sum(case when movement_type = 'expansion' then 1 else 0 end) as expansion_customers,
        sum(case when movement_type = 'contraction' then 1 else 0 end) as contraction_customers,
        sum(case when movement_type = 'churn' then 1 else 0 end) as churned_customers,
        sum(case when movement_type = 'reactivation' then 1 else 0 end) as reactivated_customers,
        sum(case when movement_type = 'retained' then 1 else 0 end) as retained_customers,
        sum(case when mrr > 0 then 1 else 0 end) as closing_customers
    from customer_months
    group by months_ahead
),

-- Items of subscriptions still in trial on as_of_date: they count from the trial's
-- end (section 4), so this part of the book rests on trials that have not yet
-- converted. With mrr_include_trials trials count at their list value already, so
-- no part of the book waits on a trial's end (the filter keeps no item). One exact
-- total per month, rounded once below.
trial_items as (
    select
        items.monthly_amount_reporting,
        items.effective_start_date,
        items.effective_end_date
    from items
    inner join subscriptions
        on items.subscription_id = subscriptions.subscription_id
    where
        cast(subscriptions.trial_end_at as date) > {{ mrr_as_of_date() }}
        and {{ 'false' if mrr_include_trials() else 'true' }}
),

trial_monthly as (
    select
        forward_months.months_ahead,
        sum(trial_items.monthly_amount_reporting) as trial_amount
    from forward_months
    inner join trial_items
        on
            forward_months.snapshot_date >= trial_items.effective_start_date
            and (
                forward_months.snapshot_date < trial_items.effective_end_date
                or trial_items.effective_end_date is null
            )
    group by forward_months.months_ahead
),

final as (
    select
        forward_months.month,
        forward_months.months_ahead,
        cast(coalesce(monthly.opening_mrr, 0) as {{ mrr_money_type() }}) as opening_mrr,
        cast(coalesce(monthly.new_mrr, 0) as {{ mrr_money_type() }}) as new_mrr,
        cast(coalesce(monthly.expansion_mrr, 0) as {{ mrr_money_type() }}) as expansion_mrr,
        cast(coalesce(monthly.contraction_mrr, 0) as {{ mrr_money_type() }}) as contraction_mrr,
        cast(coalesce(monthly.churned_mrr, 0) as {{ mrr_money_type() }}) as churned_mrr,
        cast(coalesce(monthly.reactivation_mrr, 0) as {{ mrr_money_type() }}) as reactivation_mrr,
        cast(coalesce(monthly.net_new_mrr, 0) as {{ mrr_money_type() }}) as net_new_mrr,
        cast(coalesce(monthly.closing_mrr, 0) as {{ mrr_money_type() }}) as closing_mrr,
        cast(coalesce(monthly.opening_customers, 0) as {{ dbt.type_int() }}) as opening_customers,
        cast(coalesce(monthly.new_customers, 0) as {{ dbt.type_int() }}) as new_customers,
        cast(coalesce(monthly.expansion_customers, 0) as {{ dbt.type_int() }}) as expansion_customers,
        cast(coalesce(monthly.contraction_customers, 0) as {{ dbt.type_int() }}) as contraction_customers,
        cast(coalesce(monthly.churned_customers, 0) as {{ dbt.type_int() }}) as churned_customers,
        cast(coalesce(monthly.reactivated_customers, 0) as {{ dbt.type_int() }}) as reactivated_customers,
        cast(coalesce(monthly.retained_customers, 0) as {{ dbt.type_int() }}) as retained_customers,
        cast(coalesce(monthly.closing_customers, 0) as {{ dbt.type_int() }}) as closing_customers,
        -- Average revenue per account, as in fct_mrr_movements; null when none pays.
        cast(
            case
                when monthly.closing_customers > 0
                    then {{ mrr_divide('monthly.closing_mrr', 'monthly.closing_customers') }}
            end
            as {{ mrr_money_type() }}
        ) as arpa,
        {{ mrr_round_money('coalesce(trial_monthly.trial_amount, 0)') }} as trial_mrr
    from forward_months
    left join monthly
        on forward_months.months_ahead = monthly.months_ahead
    left join trial_monthly
        on forward_months.months_ahead = trial_monthly.months_ahead
)

select * from final
