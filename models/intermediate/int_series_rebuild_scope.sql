-- The customers and the months whose rows of the customer series marts
-- (fct_mrr, fct_mrr_by_plan)
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
-- the series models of this run: the one such read in the project
-- (docs/nightly.md, "What an incremental model reads of the last run").
--
-- A run whose scope some series model applied but that never recorded its inputs as
-- built (it failed, or did not select both) leaves that scope pending: its rows
-- are stamped later than the last build (int_series_built_months.built_at), so the
-- next run takes them in too, even when the inputs have meanwhile gone back to what
-- was built. Without a usable record (first incremental run, an upgrade, a full
-- refresh) the scope is every month: those of the spine and those stored in any
-- series table, so every row is deleted and computed again.
{%- set built_inputs = mrr_own_relation('int_series_built_inputs') %}
{%- set built_months = mrr_own_relation('int_series_built_months') %}
{%- set previous_scope = load_relation(this) %}
{%- set input_columns = [
    'customer_id', 'plan_key', 'plan_id', 'plan_name', 'product_name', 'segment', 'country_code',
    'monthly_amount_reporting', 'effective_start_date', 'effective_end_date'] %}
{%- set series_models = ['fct_mrr', 'fct_mrr_by_plan'] %}
{%- set comparable = built_inputs is not none and built_months is not none and not flags.FULL_REFRESH %}
{%- set stored_series = [] %}
{%- if execute %}
    {%- if comparable %}
        {%- set built_columns = adapter.get_columns_in_relation(built_inputs) | map(attribute='name') | map('lower') | list %}
        {%- set month_columns = adapter.get_columns_in_relation(built_months) | map(attribute='name') | map('lower') | list %}
        {%- set comparable = built_columns == input_columns and 'built_at' in month_columns %}
    {%- endif %}
    {%- if comparable %}
        {#- Rows of a run that did not build both series marts and had no record to keep. -#}
        {%- set unbuilt = run_query("select count(*) from " ~ built_months ~ " where built_at is null") %}
        {%- set comparable = unbuilt.columns[0].values()[0] | int == 0 %}
    {%- endif %}
    {%- for name in series_models %}
        {%- set relation = mrr_own_relation(name) %}
        {%- if relation is not none %}
            {%- do stored_series.append(relation) %}
        {%- endif %}
    {%- endfor %}
{%- endif %}
{%- set pending = comparable and previous_scope is not none %}
{%- if pending and execute %}
    {%- set scope_columns = adapter.get_columns_in_relation(previous_scope) | map(attribute='name') | map('lower') | list %}
    {%- set pending = 'scoped_at' in scope_columns %}
{%- endif %}
-- depends_on: {{ ref('mrr', 'int_series_inputs') }}

with

months as (
    select * from {{ ref('mrr', 'int_months') }}
),

{% if not mrr_series_are_incremental() %}
    -- The series are plain tables here, rebuilt whole on every run: nothing to
    -- compare.
    scope as (
        select
            cast(null as {{ dbt.type_string() }}) as customer_id,
            cast(null as date) as month
        from months
        where 1 = 0
    ),
{% elif not comparable %}
    -- Nothing usable records what the series were built from: every month of the
    -- spine and every month a series table holds, so every row is computed again.
    -- On a full refresh the series are rebuilt whole anyway; the months are listed
    -- so that a full refresh that fails half way leaves them pending.
    every_month as (
        select month from months
        {%- for relation in stored_series %}
            union
            select distinct month from {{ relation }}
        {%- endfor %}
    ),

    scope as (
        select distinct
            cast(null as {{ dbt.type_string() }}) as customer_id,
            month
        from every_month
    ),
{% else %}
    -- Each row counted +1 now and -1 as built: a row whose counts differ sums to
    -- non-zero. One aggregate over both sides reads each side once, where an
    -- except all each way reads each twice.
    signed_inputs as (
        select
            {{ input_columns | join(',\n            ') }},
            1 as side
        from {{ ref('mrr', 'int_series_inputs') }}
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

    -- The scope of runs since the last build, applied by some series model but never
    -- recorded as built.
    pending_scope as (
        {% if pending -%}
            select
                customer_id,
                month
            from {{ previous_scope }}
            where scoped_at > (select max(built_at) from {{ built_months }})
        {%- else -%}
            select
                cast(null as {{ dbt.type_string() }}) as customer_id,
                cast(null as date) as month
            from months
            where 1 = 0
        {%- endif %}
    ),

    scope_customers as (
        select customer_id from changed_inputs
        union
        select customer_id from pending_scope
    ),

    scope_months as (
        select month from changed_months
        union
        select month from pending_scope
    ),

    scope as (
        select
            customer_id,
            cast(null as date) as month
        from scope_customers
        where customer_id is not null
        union all
        select
            cast(null as {{ dbt.type_string() }}) as customer_id,
            month
        from scope_months
        where month is not null
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
