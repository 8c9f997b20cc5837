"""The DuckDB settings profiles.yml sets are the ones dbt's own sessions run with.

`checkpoint_threshold` 1MB keeps an incremental night's changes from waiting in
DuckDB's log while the next heavy model runs short of memory (measured at
scale: docs/decisions.md, "Checkpoints at night"). No test at test size can
time that, so this one keeps the setting from being dropped or mistyped (DuckDB
reads '1MB' and '1 MiB' differently). `preserve_insertion_order`
false lets DuckDB stream the large `create table as` statements.
"""
from __future__ import annotations

import duckdb

from dbt_harness import invoke_dbt


def expected_setting(name: str, value: str) -> str:
    """How DuckDB reports ``value`` for ``name`` once it is set (e.g. '1MB' -> '976.5 KiB')."""
    con = duckdb.connect()
    try:
        con.execute(f"set {name} = '{value}'")
        return str(con.execute(f"select current_setting('{name}')").fetchone()[0])
    finally:
        con.close()


def test_dbt_sessions_use_the_profiles_duckdb_settings(tmp_path, monkeypatch):
    monkeypatch.delenv("MRR_DUCKDB_CHECKPOINT_THRESHOLD", raising=False)
    query = ("select current_setting('checkpoint_threshold') as checkpoint_threshold, "
             "current_setting('preserve_insertion_order') as preserve_insertion_order")
    outcome = invoke_dbt(["show", "--inline", query], tmp_path / "settings.duckdb", tmp_path, {})
    assert outcome.success, outcome.exception
    row = outcome.result.results[0].agate_table.rows[0]
    assert str(row["checkpoint_threshold"]) == expected_setting("checkpoint_threshold", "1MB")
    assert row["preserve_insertion_order"] is False
