"""The vars the test harness treats as compile-time only do not change what dbt parses.

tests/python/dbt_harness.py parses the project once and hands the manifest to every
later run that differs only in these vars (as_of_date, reporting_currency, ...):
dbt renders the SQL again on every run, but not what it parsed. If one of them ever
decided a config, a ref, a source's schema or which models are enabled, the reused
manifest would be wrong without an error. This parses the project with every one
of them changed and requires the same nodes, sources and unit tests.
"""
from __future__ import annotations

from dbt_harness import _COMPILE_TIME_VARS, parse_project

CHANGED = {
    "as_of_date": "2020-02-29",
    "reporting_currency": "EUR",
    "mrr_include_trials": True,
    "mrr_apply_discounts": False,
    "mrr_close_after_days": 30,
    "mrr_reconciliation_tolerance": 0.5,
    "mrr_forward_months": 6,
    "mrr_forecast_window_months": 5,
    "mrr_delinquent_after_days": 30,
}
PARSED = ("config", "unrendered_config", "depends_on", "refs", "sources", "relation_name", "database", "schema")


def _parsed(tmp_path, variables: dict) -> dict:
    result = parse_project(tmp_path / "demo.duckdb", tmp_path, variables)
    assert result.success, result.exception
    manifest = result.result
    out = {}
    for unique_id, node in {**manifest.nodes, **manifest.sources, **manifest.unit_tests}.items():
        fields = node.to_dict()
        out[unique_id] = {name: fields.get(name) for name in PARSED}
    out["disabled"] = {"unique_ids": sorted(manifest.disabled)}
    return out


def test_compile_time_vars_do_not_change_the_parse(tmp_path):
    assert set(CHANGED) == set(_COMPILE_TIME_VARS)
    default, changed = _parsed(tmp_path, {}), _parsed(tmp_path, CHANGED)
    assert default.keys() == changed.keys()
    differing = {unique_id: [name for name, value in default[unique_id].items() if changed[unique_id][name] != value]
                 for unique_id in default if default[unique_id] != changed[unique_id]}
    assert not differing, differing
