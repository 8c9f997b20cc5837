-- The customers and the months whose rows of the customer series
-- (int_customer_mrr_monthly, int_customer_plan_mrr_monthly, fct_mrr, fct_mrr_by_plan)
-- an incremental run deletes and computes again: one row per customer (month null)
-- whose inputs changed since the series were last built, one row per month (customer
-- null) whose snapshot day moved, that is new or that left the spine, and one row
-- with both null that stamps the run (scoped_at), so a series model can tell that
-- this table is this run's (macro mrr_delete_rebuild_scope).
--
-- Why a comparison and not the base models' change stamps: a customer's series rows
-- follow from its rows of int_series_inputs and the month spine alone, so comparing
-- those rows as multisets, every column and nulls included (no hash), catches every
-- cause at once: a new item version, a cancelled subscription, a repriced plan, a
-- corrected FX rate, a customer flagged as a test account, a subscription moved to
-- another customer (both customers differ), a changed var. The previous rows are
-- the int_series_built_* tables, read without ref() because they are written after
-- the series models of this run.
{%- set built_inputs = adapter.get_relation(this.database, this.schema, 'int_series_built_inputs') %}
{%- set built_months = adapter.get_relation(this.database, this.schema, 'int_series_built_months') %}
{%- set input_columns = [
    'customer_id', 'plan_key', 'plan_id', 'plan_name', 'product_name', 'segment', 'country_code',
    'monthly_amount_reporting', 'effective_start_date', 'effective_end_date'] %}
{#- A built table of an older version of the project, with other columns, cannot be
    compared: then every month is in scope, which recomputes every row. -#}
{%- set comparable = built_inputs is not none and built_months is not none %}
{%- if comparable and execute %}
    {%- set built_columns = adapter.get_columns_in_relation(built_inputs) | map(attribute='name') | map('lower') | list %}
    {%- set comparable = built_columns == input_columns %}
{%- endif %}
-- depends_on: {{ ref('int_series_inputs') }}

with

months as (
    select * from {{ ref('int_months') }}
),

{% if flags.FULL_REFRESH or not mrr_series_are_incremental() %}
    -- A full refresh rebuilds every series table whole, as every run does where they
    -- are plain tables: nothing to compare.
    scope as (
        select
            cast(null as {{ dbt.type_string() }}) as customer_id,
            cast(null as date) as month
        from months
        where 1 = 0
    ),
{% elif not comparable %}
    -- Nothing records what the series were built from (their first incremental run,
    -- or an upgrade): every month, so every row is computed again.
    scope as (
        select
            cast(null as {{ dbt.type_string() }}) as customer_id,
            month
        from months
    ),
{% else %}
    -- Each row counted +1 now and -1 as built: a row whose counts differ sums to
    -- non-zero. One aggregate over both sides (an except all each way took three
    -- times as long at 1M customers).
    signed_inputs as (
        select
            {{ input_columns | join(',\n            ') }},
            1 as side
        from {{ ref('int_series_inputs') }}
        union all
        select
            {{ input_columns | join(',\n            ') }},
            -1 as side
        from {{ built_inputs }}
    ),

    changed_inputs as (
        select customer_id
        from signed_inputs
        group by {{ input_columns | join(', ') }}
        having sum(side) <> 0
    ),

    built_months as (
        select month, snapshot_date from {{ built_months }}
    ),

    current_months as (
        select month, snapshot_date from months
    ),

    changed_months as (
        (
            select * from current_months
            except
            select * from built_months
        )
        union
        (
            select * from built_months
            except
            select * from current_months
        )
    ),

    scope as (
        select distinct
            customer_id,
            cast(null as date) as month
        from changed_inputs
        where customer_id is not null
        union all
        select distinct
            cast(null as {{ dbt.type_string() }}) as customer_id,
            month
        from changed_months
    ),
{%- endif %}

run_stamp as (
    select
        cast(null as {{ dbt.type_string() }}) as customer_id,
        cast(null as date) as month
),

final as (
    select
        customer_id,
        month,
        {{ mrr_processed_at() }} as scoped_at
    from scope
    union all
    select
        customer_id,
        month,
        {{ mrr_processed_at() }} as scoped_at
    from run_stamp
)

select * from final
