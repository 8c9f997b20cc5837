{{ config(grants=mrr_reader_grants()) }}
-- One row per month of the reporting window: churn and retention ratios computed
-- from the MRR bridge (spec section 7). A ratio whose denominator is 0 is null.
with

movements as (
    select * from {{ ref('mrr', 'fct_mrr_movements') }}
),

final as (
    select
        month,
        cast(churned_customers * 1.0 / nullif(opening_customers, 0) as {{ mrr_ratio_type() }}) as logo_churn_rate,
        cast(
            -(churned_mrr + contraction_mrr) / nullif(opening_mrr, 0)
            as {{ mrr_ratio_type() }}
        ) as gross_mrr_churn_rate,
        cast(
            -(churned_mrr + contraction_mrr + expansion_mrr) / nullif(opening_mrr, 0)
            as {{ mrr_ratio_type() }}
        ) as net_mrr_churn_rate,
        cast(
            (opening_mrr + expansion_mrr + contraction_mrr + churned_mrr) / nullif(opening_mrr, 0)
            as {{ mrr_ratio_type() }}
        ) as net_revenue_retention,
        cast(
            (opening_mrr + contraction_mrr + churned_mrr) / nullif(opening_mrr, 0)
            as {{ mrr_ratio_type() }}
        ) as gross_revenue_retention,
        cast(
            (new_mrr + expansion_mrr + reactivation_mrr) / nullif(-(churned_mrr + contraction_mrr), 0)
            as {{ mrr_ratio_type() }}
        ) as quick_ratio,
        cast(
            case
                when closing_customers > 0
                    then {{ mrr_divide('closing_mrr', 'closing_customers') }}
            end
            as {{ mrr_money_type() }}
        ) as arpa
    from movements
)

select * from final
