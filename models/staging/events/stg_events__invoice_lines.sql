-- Subscription events carry no invoices: the raw table `invoice_lines`, empty, in
-- its columns and types.
with

final as (
    select
        cast(null as {{ dbt.type_string() }}) as invoice_line_id,
        cast(null as {{ dbt.type_string() }}) as invoice_id,
        cast(null as {{ dbt.type_string() }}) as subscription_id,
        cast(null as {{ dbt.type_string() }}) as plan_id,
        cast(null as {{ dbt.type_string() }}) as line_type,
        cast(null as {{ dbt.type_string() }}) as description,
        cast(null as {{ mrr_amount_type() }}) as quantity,
        cast(null as {{ mrr_amount_type() }}) as amount,
        cast(null as {{ mrr_amount_type() }}) as discount_amount,
        cast(null as {{ mrr_amount_type() }}) as tax_amount,
        cast(null as {{ dbt.type_timestamp() }}) as period_start,
        cast(null as {{ dbt.type_timestamp() }}) as period_end,
        cast(null as {{ dbt.type_timestamp() }}) as updated_at
)

select * from final
where 1 = 0
