-- Warns (never fails) while raw rows are rejected: look at audit_rejected_records.
{{ config(severity='warn') }}

select
    source_table,
    reason,
    count(*) as rejected_records
from {{ ref('mrr', 'audit_rejected_records') }}
group by source_table, reason
