-- Raw rows an incremental run did not read because their updated_at was older
-- than the lookback allows (var mrr_lookback_days) when they arrived. Their
-- records may be out of date in every mart: run `dbt build --full-refresh` (or
-- `make nightly NIGHTLY_ARGS='-- --full-refresh'`) to read them.
{{ config(severity='warn') }}

select
    source_table,
    row_count,
    'run a --full-refresh to read these rows' as action
from {{ ref('mrr', 'audit_raw_row_accounting') }}
where disposition = 'arrived after lookback'
