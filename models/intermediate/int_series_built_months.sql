-- One row per month of the spine (int_months) as it was when the customer series
-- were last built, with its snapshot day and when (built_at): the months whose rows
-- an incremental run recomputes are the ones whose snapshot day moved, that are
-- new, or that left the spine. Written after the two series marts, as
-- int_series_built_inputs. A run that does not build both keeps the previous
-- rows; with none to keep, built_at is null, which makes the next run recompute
-- everything (int_series_rebuild_scope).
-- depends_on: {{ ref('mrr', 'fct_mrr') }}
-- depends_on: {{ ref('mrr', 'fct_mrr_by_plan') }}
{%- set previous = load_relation(this) %}
{%- set together = mrr_series_built_together() or not mrr_series_are_incremental() %}
{%- set previous_columns = [] %}
{%- if previous is not none and execute %}
    {%- set previous_columns = adapter.get_columns_in_relation(previous) | map(attribute='name') | map('lower') | list %}
{%- endif %}
{#- Not both built in this run: keep the previous record when there is one. -#}
{%- set keep_previous = not together and 'built_at' in previous_columns %}
{%- if keep_previous %}
    {%- set rows_from, built_at = previous, 'built_at' %}
{%- elif together %}
    {%- set rows_from, built_at = 'months', mrr_processed_at() %}
{%- else %}
    {%- set rows_from, built_at = 'months', 'cast(null as ' ~ dbt.type_timestamp() ~ ')' %}
{%- endif %}

with

months as (
    select * from {{ ref('mrr', 'int_months') }}
),

final as (
    select
        month,
        snapshot_date,
        {{ built_at }} as built_at
    from {{ rows_from }}
)

select * from final
