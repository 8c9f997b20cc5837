"""A bad value for any project var stops dbt with a message that names the var,
before a single model runs (issue: vars documented and validated)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from dbt.cli.main import dbtRunner

PROJECT_DIR = Path(__file__).resolve().parents[2]
# Each var is read by at least one of these models.
MODELS = ["int_months", "int_subscription_items_converted", "int_subscription_items_valued",
          "int_subscription_items_active", "base_billing__subscription_items", "fct_mrr_reconciliation",
          "fct_monthly_metrics", "int_forward_months", "fct_mrr_forecast", "fct_mrr_at_risk"]

BAD_VALUES = [
    ("as_of_date", "2024-13-01"),
    ("as_of_date", "2024-02-30"),
    ("as_of_date", "last tuesday"),
    ("reporting_currency", "dollars"),
    ("mrr_include_trials", "sometimes"),
    ("mrr_apply_discounts", "yes please"),
    ("mrr_reconciliation_tolerance", "-1"),
    ("mrr_close_after_days", "five"),
    ("mrr_close_after_days", "-3"),
    ("mrr_forward_months", "0"),
    ("mrr_forward_months", "121"),
    ("mrr_forward_months", "a year"),
    ("mrr_forecast_window_months", "0"),
    ("mrr_forecast_window_months", "2.5"),
    ("mrr_delinquent_after_days", "-1"),
    ("mrr_delinquent_after_days", "two weeks"),
    ("billing_source", "chargebee"),
    ("billing_schema", 'raw"billing'),
    ("billing_schema", "raw.billing"),
    ("billing_database", "warehouse; drop table x"),
    ("mrr_semantic_prefix", "Finance-"),
    ("mrr_semantic_prefix", "mrr__"),
]


def _compile(tmp_path, variables):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MRR_DUCKDB_PATH", str(tmp_path / "vars.duckdb"))
        patch.setenv("MRR_TARGET", "duckdb")
        patch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
        return dbtRunner().invoke([
            "compile", "--select", *MODELS, "--vars", json.dumps(variables),
            "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
            "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
            "--no-partial-parse", "--quiet",
        ])


@pytest.mark.parametrize("name,value", BAD_VALUES)
def test_bad_var_stops_dbt_naming_the_var(tmp_path, name, value):
    result = _compile(tmp_path, {name: value})
    assert not result.success
    message = str(result.exception) + "".join(str(getattr(node, "message", "")) for node in (result.result or []))
    assert f"var '{name}'" in message, message


def test_good_vars_compile(tmp_path):
    result = _compile(tmp_path, {"as_of_date": "2024-02-29", "reporting_currency": " eur ",
                                 "mrr_include_trials": "TRUE", "mrr_apply_discounts": False,
                                 "mrr_reconciliation_tolerance": 2.5, "mrr_forward_months": " 24 ",
                                 "mrr_forecast_window_months": 6, "mrr_delinquent_after_days": "0"})
    assert result.success, result.exception
