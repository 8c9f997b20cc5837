{#-
    The model has exactly as many rows as `compare_model`. For a model that is
    another model's rows with looked-up columns (left joins on unique keys), this
    proves that no join added or lost a row, so the model keeps the other's grain
    without a scan for duplicates: fct_mrr and fct_mrr_by_plan keep the grain of
    the group by in int_customer_mrr_monthly and int_customer_plan_mrr_monthly.
    Two row counts, which DuckDB reads from table metadata.
    Fails with one row: both counts.
-#}
{% test row_count_matches(model, compare_model) %}

with

model_rows as (
    select count(*) as row_count from {{ model }}
),

compare_model_rows as (
    select count(*) as row_count from {{ compare_model }}
)

select
    model_rows.row_count as model_row_count,
    compare_model_rows.row_count as compare_model_row_count
from model_rows
cross join compare_model_rows
where model_rows.row_count != compare_model_rows.row_count

{% endtest %}
