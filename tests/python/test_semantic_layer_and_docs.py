"""The MetricFlow semantic layer (models/marts/semantic) and the docs, on the demo data.

One build of the marts the semantic models read (demo seeds, pinned as_of_date),
then: the semantic manifest passes MetricFlow's validation, semantic and against
the warehouse (what `mf validate-configs` runs); metrics queried through
MetricFlow equal the marts month by month, over quarters and years (MRR and
customer counts are semi-additive: a quarter's MRR is its last month's), by
segment and country, and by plan and product; `dbt docs generate` works and every
mart column and every metric has a description.

MetricFlow writes the SQL (MetricFlowEngine.explain, the same planner `mf query`
uses); the test runs it on the build's DuckDB file and compares.
"""
from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt.cli.main import dbtRunner
from metricflow.data_table.mf_table import MetricFlowDataTable
from metricflow.engine.metricflow_engine import MetricFlowEngine, MetricFlowQueryRequest
from metricflow.protocols.sql_client import SqlEngine
from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer
from metricflow.validation.data_warehouse_model_validator import DataWarehouseModelValidator
from metricflow_semantic_interfaces.validations.semantic_manifest_validator import SemanticManifestValidator
from metricflow_semantic_interfaces.validations.validator_helpers import SemanticManifestValidationResults
from metricflow_semantics.model.dbt_manifest_parser import parse_manifest_from_dbt_generated_manifest
from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

from dbt_harness import copy_built_demo

PROJECT_DIR = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-24"  # the end of the demo data, as in test_demo_build.py
MONEY = Decimal("0.000001")
RATIO = 1e-9  # fct_churn stores ratios to 10 decimals

# The metrics a dashboard relies on (issue: "Metrics at least").
REQUIRED_METRICS = {
    "mrr", "new_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr", "reactivation_mrr",
    "net_new_mrr", "paying_customers", "arpa", "logo_churn_rate", "gross_mrr_churn_rate",
    "net_mrr_churn_rate", "net_revenue_retention", "gross_revenue_retention", "quick_ratio",
    "recurring_revenue", "usage_revenue", "one_time_revenue", "setup_revenue", "total_revenue",
    # The forward marts (issue 33): committed and forecast MRR, MRR at risk by reason,
    # forecast error by horizon, year-over-year growth.
    "committed_mrr", "forecast_mrr", "mrr_at_risk", "forecast_mape", "mrr_growth_yoy",
}
# Semantic-layer name -> fct_mrr_movements column.
BRIDGE = {
    "mrr": "closing_mrr", "paying_customers": "closing_customers",
    "opening_mrr": "opening_mrr", "opening_customers": "opening_customers",
    "new_mrr": "new_mrr", "expansion_mrr": "expansion_mrr", "contraction_mrr": "contraction_mrr",
    "churned_mrr": "churned_mrr", "reactivation_mrr": "reactivation_mrr", "net_new_mrr": "net_new_mrr",
    "new_customers": "new_customers", "churned_customers": "churned_customers",
    "reactivated_customers": "reactivated_customers",
}
RATIOS = ("logo_churn_rate", "gross_mrr_churn_rate", "net_mrr_churn_rate",
          "net_revenue_retention", "gross_revenue_retention", "quick_ratio")
REVENUE = ("recurring_revenue", "usage_revenue", "one_time_revenue", "setup_revenue", "total_revenue")


class DuckDbSqlClient:
    """MetricFlow's SqlClient protocol on a DuckDB connection (what `mf` gets from the dbt adapter)."""

    sql_engine_type = SqlEngine.DUCKDB
    sql_plan_renderer = DuckDbSqlPlanRenderer()

    def __init__(self, connection):
        self._connection = connection

    def query(self, stmt, sql_bind_parameter_set=None):
        cursor = self._connection.execute(stmt)
        return MetricFlowDataTable.create_from_rows([d[0] for d in cursor.description], cursor.fetchall())

    def execute(self, stmt, sql_bind_parameter_set=None):
        self._connection.execute(stmt)

    def dry_run(self, stmt, sql_bind_parameter_set=None):
        self._connection.execute(f"explain {stmt}")

    def close(self):
        pass

    def render_bind_parameter_key(self, bind_parameter_key):
        return f"${bind_parameter_key}"


def _dbt(work: Path, *args):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MRR_DUCKDB_PATH", str(work / "semantic.duckdb"))
        patch.setenv("MRR_TARGET", "duckdb")
        patch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
        result = dbtRunner().invoke([
            *args,
            "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
            "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
            "--vars", json.dumps({"as_of_date": AS_OF}),
            "--no-partial-parse", "--quiet",
        ])
    assert result.success, f"dbt {args[0]} failed: {result.exception}"
    return result


class SemanticLayer:
    def __init__(self, work: Path):
        self.work = work
        self.connection = duckdb.connect(str(work / "semantic.duckdb"))
        raw = (work / "target" / "semantic_manifest.json").read_text()
        self.manifest = parse_manifest_from_dbt_generated_manifest(manifest_json_string=raw)
        self.client = DuckDbSqlClient(self.connection)
        self.engine = MetricFlowEngine(semantic_manifest_lookup=SemanticManifestLookup(self.manifest),
                                       sql_client=self.client)

    @property
    def metric_names(self):
        return {metric.name for metric in self.manifest.metrics}

    def sql(self, stmt: str) -> list[dict]:
        cursor = self.connection.execute(stmt)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def query(self, metrics, group_by) -> list[dict]:
        """Rows of a MetricFlow query, keys as `mf query` prints them (metric_time__quarter, ...)."""
        request = MetricFlowQueryRequest.create(metric_names=list(metrics), group_by_names=list(group_by))
        return self.sql(self.engine.explain(request).sql_statement.sql)


@pytest.fixture(scope="module")
def layer(tmp_path_factory):
    work = tmp_path_factory.mktemp("semantic")
    # Every model (the docs check needs every mart in the catalog): `make test`'s
    # own demo build, or a build without tests when run alone.
    if copy_built_demo(work / "semantic.duckdb"):
        _dbt(work, "parse")  # the manifests MetricFlow and the docs check read
    else:
        _dbt(work, "build", "--exclude", "resource_type:test", "resource_type:unit_test")
    semantic_layer = SemanticLayer(work)
    yield semantic_layer
    semantic_layer.connection.close()


def _date(value):
    return value.date() if hasattr(value, "date") else value


def _close(actual, expected, tolerance) -> bool:
    if actual is None or expected is None:
        return actual is None and expected is None
    return abs(Decimal(str(actual)) - Decimal(str(expected))) <= Decimal(str(tolerance))


def _mismatches(actual: dict, expected: dict, tolerance) -> list:
    keys = sorted(set(actual) | set(expected), key=str)
    return [(key, actual.get(key), expected.get(key)) for key in keys
            if not _close(actual.get(key), expected.get(key), tolerance)]


# --- configs ----------------------------------------------------------------------

def test_semantic_manifest_passes_metricflow_validation(layer):
    results = SemanticManifestValidator().validate_semantic_manifest(layer.manifest)
    assert not results.has_blocking_issues, [issue.as_readable_str() for issue in results.errors]
    validator = DataWarehouseModelValidator(sql_client=layer.client)
    warehouse = SemanticManifestValidationResults.merge([
        validator.validate_semantic_models(layer.manifest), validator.validate_dimensions(layer.manifest),
        validator.validate_entities(layer.manifest), validator.validate_simple_metrics(layer.manifest),
        validator.validate_metrics(layer.manifest),
    ])
    assert not warehouse.has_blocking_issues, [issue.as_readable_str() for issue in warehouse.errors]


def test_every_required_metric_is_defined(layer):
    assert not REQUIRED_METRICS - layer.metric_names


def test_mrr_splits_by_month_segment_and_country(layer):
    dimensions = {dimension.dunder_name for dimension in layer.engine.list_dimensions(metric_names=["mrr"])}
    assert {"metric_time__month", "customer__segment", "customer__country"} <= dimensions


# --- customer-level metrics against fct_mrr_movements and fct_churn ----------------

def test_monthly_metrics_equal_fct_mrr_movements(layer):
    queried = {_date(row["metric_time__month"]): row
               for row in layer.query(BRIDGE, ["metric_time__month"])}
    movements = {row["month"]: row for row in layer.sql("select * from main.fct_mrr_movements")}
    assert len(queried) > 12
    for name, column in BRIDGE.items():
        # A month with no fct_mrr row (none in the demo) would have all zeros in the mart.
        actual = {month: queried[month][name] if month in queried else 0 for month in movements}
        expected = {month: row[column] for month, row in movements.items()}
        assert not _mismatches(actual, expected, MONEY), (name, _mismatches(actual, expected, MONEY)[:5])


def test_ratio_metrics_equal_fct_churn_every_month(layer):
    queried = {_date(row["metric_time__month"]): row
               for row in layer.query([*RATIOS, "arpa"], ["metric_time__month"])}
    churn = {row["month"]: row for row in layer.sql("select * from main.fct_churn")}
    assert set(queried) == set(churn)
    for name in RATIOS:
        actual = {month: row[name] for month, row in queried.items()}
        expected = {month: row[name] for month, row in churn.items()}
        assert not _mismatches(actual, expected, RATIO), (name, _mismatches(actual, expected, RATIO)[:5])
    actual = {month: row["arpa"] for month, row in queried.items()}
    expected = {month: row["arpa"] for month, row in churn.items()}
    assert not _mismatches(actual, expected, MONEY), _mismatches(actual, expected, MONEY)[:5]


@pytest.mark.parametrize("grain", ["quarter", "year"])
def test_mrr_over_a_longer_period_is_its_last_month(layer, grain):
    """Stocks close with the period's last month and open with its first; flows add up."""
    queried = {_date(row[f"metric_time__{grain}"]): row for row in layer.query(
        ["mrr", "paying_customers", "opening_mrr", "net_new_mrr", "churned_customers"],
        [f"metric_time__{grain}"])}
    periods = layer.sql(f"""
        with months as (
            select *, date_trunc('{grain}', month)::date as period,
                row_number() over (partition by date_trunc('{grain}', month) order by month desc) as from_end,
                row_number() over (partition by date_trunc('{grain}', month) order by month) as from_start
            from main.fct_mrr_movements
        )
        select
            period,
            max(case when from_end = 1 then closing_mrr end) as mrr,
            max(case when from_end = 1 then closing_customers end) as paying_customers,
            max(case when from_start = 1 then opening_mrr end) as opening_mrr,
            sum(net_new_mrr) as net_new_mrr,
            sum(churned_customers) as churned_customers,
            sum(closing_mrr) as sum_of_monthly_mrr
        from months
        group by period
    """)
    expected = {row["period"]: row for row in periods}
    assert set(queried) == set(expected)
    for name in ("mrr", "paying_customers", "opening_mrr", "net_new_mrr", "churned_customers"):
        actual = {period: row[name] for period, row in queried.items()}
        wanted = {period: row[name] for period, row in expected.items()}
        assert not _mismatches(actual, wanted, MONEY), (name, _mismatches(actual, wanted, MONEY)[:5])
    for period, row in queried.items():
        assert _close(row["opening_mrr"] + row["net_new_mrr"], row["mrr"], MONEY), period
    # The demo has periods of several months, so a summed MRR would differ.
    assert any(row["sum_of_monthly_mrr"] != row["mrr"] for row in periods)


def test_mrr_by_segment_equals_fct_mrr_joined_to_dim_customers(layer):
    queried = {(_date(row["metric_time__month"]), row["customer__segment"]): row for row in layer.query(
        ["mrr", "paying_customers", "logo_churn_rate"], ["metric_time__month", "customer__segment"])}
    expected = {(row["month"], row["segment"]): row for row in layer.sql("""
        select
            fct_mrr.month,
            dim_customers.segment,
            sum(fct_mrr.mrr) as mrr,
            sum(case when fct_mrr.mrr > 0 then 1 else 0 end) as paying_customers,
            sum(case when fct_mrr.movement_type = 'churn' then 1 else 0 end) * 1.0
                / nullif(sum(case when fct_mrr.previous_mrr > 0 then 1 else 0 end), 0) as logo_churn_rate
        from main.fct_mrr
        left join main.dim_customers on fct_mrr.customer_id = dim_customers.customer_id
        group by all
    """)}
    assert len({segment for _, segment in expected}) > 1
    for name, tolerance in (("mrr", MONEY), ("paying_customers", 0), ("logo_churn_rate", RATIO)):
        actual = {key: row[name] for key, row in queried.items()}
        wanted = {key: row[name] for key, row in expected.items()}
        assert not _mismatches(actual, wanted, tolerance), (name, _mismatches(actual, wanted, tolerance)[:5])


def test_mrr_by_country_for_a_quarter_is_its_last_month(layer):
    queried = {(_date(row["metric_time__quarter"]), row["customer__country"]): row["mrr"]
               for row in layer.query(["mrr"], ["metric_time__quarter", "customer__country"])}
    expected = {(row["quarter"], row["country_code"]): row["mrr"] for row in layer.sql("""
        with last_months as (
            select date_trunc('quarter', month)::date as quarter, max(month) as month
            from main.fct_mrr_movements
            group by 1
        )
        select last_months.quarter, dim_customers.country_code, sum(fct_mrr.mrr) as mrr
        from main.fct_mrr
        inner join last_months on fct_mrr.month = last_months.month
        left join main.dim_customers on fct_mrr.customer_id = dim_customers.customer_id
        group by all
    """)}
    assert len({country for _, country in expected}) > 1
    assert not _mismatches(queried, expected, MONEY), _mismatches(queried, expected, MONEY)[:5]


# --- revenue -------------------------------------------------------------------------

@pytest.mark.parametrize("grain", ["month", "year"])
def test_revenue_metrics_equal_fct_revenue(layer, grain):
    queried = {_date(row[f"metric_time__{grain}"]): row for row in layer.query(REVENUE, [f"metric_time__{grain}"])}
    columns = ", ".join(f"sum({name}) as {name}" for name in REVENUE)
    expected = {row["period"]: row for row in layer.sql(
        f"select date_trunc('{grain}', month)::date as period, {columns} from main.fct_revenue group by 1")}
    for name in REVENUE:
        actual = {period: row[name] for period, row in queried.items()}
        wanted = {period: row[name] for period, row in expected.items()}
        assert not _mismatches(actual, wanted, MONEY), (name, _mismatches(actual, wanted, MONEY)[:5])


# --- plan and product (fct_mrr_by_plan) ----------------------------------------------

@pytest.fixture
def plan_layer(layer):
    nodes = json.loads((layer.work / "target" / "manifest.json").read_text())["nodes"]
    if "model.mrr.fct_mrr_by_plan" not in nodes:
        pytest.skip("no model fct_mrr_by_plan yet (sem_plan_mrr.yml stays disabled until it exists)")
    assert "plan_mrr" in layer.metric_names, "fct_mrr_by_plan exists: set enabled: true in sem_plan_mrr.yml"
    return layer


def test_plan_mrr_equals_fct_mrr_by_plan(plan_layer):
    queried = {(_date(row["metric_time__month"]), row["plan"], row["plan__plan_name"], row["plan__product"]): row
               for row in plan_layer.query(["plan_mrr", "plan_customers", "plan_net_new_mrr"],
                                           ["metric_time__month", "plan", "plan__plan_name", "plan__product"])}
    expected = {(row["month"], row["plan_id"], row["plan_name"], row["product_name"]): row for row in plan_layer.sql("""
        select month, plan_id, plan_name, product_name, sum(mrr) as plan_mrr,
            sum(case when mrr > 0 then 1 else 0 end) as plan_customers,
            sum(movement_amount) as plan_net_new_mrr
        from main.fct_mrr_by_plan
        group by all
    """)}
    assert len({plan for _, plan, _, _ in expected}) > 1
    for name in ("plan_mrr", "plan_customers", "plan_net_new_mrr"):
        actual = {key: row[name] for key, row in queried.items()}
        wanted = {key: row[name] for key, row in expected.items()}
        assert not _mismatches(actual, wanted, MONEY), (name, _mismatches(actual, wanted, MONEY)[:5])


def test_plan_mrr_summed_over_plans_equals_mrr(plan_layer):
    """Within 0.000001 per customer-plan pair: each pair is rounded on its own (spec section 8)."""
    by_plan = plan_layer.query(["plan_mrr", "plan_opening_mrr", "plan_net_new_mrr"], ["metric_time__quarter", "plan"])
    totals = defaultdict(lambda: defaultdict(Decimal))
    for row in by_plan:
        for name in ("plan_mrr", "plan_opening_mrr", "plan_net_new_mrr"):
            totals[_date(row["metric_time__quarter"])][name] += Decimal(str(row[name] or 0))
    customer = {_date(row["metric_time__quarter"]): row for row in plan_layer.query(
        ["mrr", "opening_mrr", "net_new_mrr"], ["metric_time__quarter"])}
    pairs = plan_layer.sql(
        "select count(distinct customer_id || '|' || plan_id) as n from main.fct_mrr_by_plan")[0]["n"]
    assert set(totals) == set(customer)
    for quarter, row in customer.items():
        for plan_name, name in (("plan_mrr", "mrr"), ("plan_opening_mrr", "opening_mrr"),
                                ("plan_net_new_mrr", "net_new_mrr")):
            assert _close(totals[quarter][plan_name], row[name], MONEY * pairs), (quarter, name)


def test_plan_mrr_by_segment_for_a_quarter_is_its_last_month(plan_layer):
    group_by = ["metric_time__quarter", "plan__product", "customer__segment"]
    queried = {(_date(row["metric_time__quarter"]), row["plan__product"], row["customer__segment"]): row["plan_mrr"]
               for row in plan_layer.query(["plan_mrr"], group_by)}
    expected = {(row["quarter"], row["product_name"], row["segment"]): row["mrr"] for row in plan_layer.sql("""
        with last_months as (
            select date_trunc('quarter', month)::date as quarter, max(month) as month
            from main.fct_mrr_by_plan
            group by 1
        )
        select last_months.quarter, by_plan.product_name, dim_customers.segment, sum(by_plan.mrr) as mrr
        from main.fct_mrr_by_plan as by_plan
        inner join last_months on by_plan.month = last_months.month
        left join main.dim_customers on by_plan.customer_id = dim_customers.customer_id
        group by all
    """)}
    assert not _mismatches(queried, expected, MONEY), _mismatches(queried, expected, MONEY)[:5]


# --- the forward marts (models/marts/forward) ------------------------------------------

def test_committed_and_forecast_mrr_equal_their_marts(layer):
    queried = {_date(row["metric_time__month"]): row
               for row in layer.query(["committed_mrr", "forecast_mrr"], ["metric_time__month"])}
    committed = {row["month"]: row["closing_mrr"] for row in layer.sql("select * from main.fct_mrr_committed")}
    forecast = {row["month"]: row["forecast_mrr"] for row in layer.sql("select * from main.fct_mrr_forecast")}
    assert len(committed) == 12 and set(forecast) == set(committed)
    for name, expected in (("committed_mrr", committed), ("forecast_mrr", forecast)):
        actual = {month: queried.get(month, {}).get(name) for month in expected}
        assert not _mismatches(actual, expected, MONEY), (name, _mismatches(actual, expected, MONEY)[:5])


def test_forecast_error_by_horizon_is_the_backtest_mape(layer):
    queried = {int(row["backtest_forecast__horizon_months"]): row["forecast_mape"]
               for row in layer.query(["forecast_mape"], ["backtest_forecast__horizon_months"])}
    expected = {row["horizon_months"]: row["mape"] for row in layer.sql(
        "select horizon_months, avg(abs_pct_error) as mape from main.fct_mrr_forecast_backtest group by 1")}
    assert len(expected) == 12
    assert not _mismatches(queried, expected, RATIO), _mismatches(queried, expected, RATIO)[:5]


def test_mrr_at_risk_by_reason_equals_fct_mrr_at_risk(layer):
    queried = {row["at_risk_customer__risk_reasons"]: row["mrr_at_risk"]
               for row in layer.query(["mrr_at_risk"], ["at_risk_customer__risk_reasons"])}
    expected = {row["risk_reasons"]: row["mrr_at_risk"] for row in layer.sql(
        "select risk_reasons, sum(mrr_at_risk) as mrr_at_risk from main.fct_mrr_at_risk group by 1")}
    assert len(expected) > 2
    assert not _mismatches(queried, expected, MONEY), _mismatches(queried, expected, MONEY)[:5]


def test_yoy_growth_equals_fct_mrr_growth(layer):
    queried = {_date(row["metric_time__month"]): row["mrr_growth_yoy"]
               for row in layer.query(["mrr_growth_yoy"], ["metric_time__month"])}
    expected = {row["month"]: row["mrr_growth_yoy"] for row in layer.sql("select * from main.fct_mrr_growth")
                if row["mrr_growth_yoy"] is not None}
    actual = {month: queried.get(month) for month in expected}
    assert len(expected) > 12
    assert not _mismatches(actual, expected, RATIO), _mismatches(actual, expected, RATIO)[:5]


# --- docs ------------------------------------------------------------------------------

def test_docs_generate_describes_every_mart_column_and_metric(layer):
    """`dbt docs generate` works; the catalog (real columns) and manifest (descriptions) agree."""
    _dbt(layer.work, "docs", "generate")
    manifest = json.loads((layer.work / "target" / "manifest.json").read_text())
    catalog = json.loads((layer.work / "target" / "catalog.json").read_text())
    marts = {unique_id: node for unique_id, node in manifest["nodes"].items()
             if node["resource_type"] == "model" and node["original_file_path"].startswith("models/marts/")}
    assert marts
    missing = []
    for unique_id, node in marts.items():
        if not node["description"].strip():
            missing.append(unique_id)
        assert unique_id in catalog["nodes"], f"{unique_id} is not in the catalog (not built?)"
        described = {name.lower(): column["description"].strip() for name, column in node["columns"].items()}
        missing += [f"{unique_id}.{name}" for name in catalog["nodes"][unique_id]["columns"]
                    if not described.get(name.lower())]
    missing += [unique_id for unique_id, metric in manifest["metrics"].items() if not metric["description"].strip()]
    assert not missing, "described nowhere: " + ", ".join(missing)
