"""Installed as a dbt package (docs/package.md), the project must not lean on the
root project's name, must not hide its switches where a consumer's vars cannot
reach them, and must not collide with other packages' generic test names.

Static checks of the files, and one parse per value of var mrr_semantic_prefix
(the semantic layer's names); the consumer build itself (integration_tests/,
`make test-package`) proves the behaviour.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from metricflow_semantic_interfaces.validations.semantic_manifest_validator import SemanticManifestValidator
from metricflow_semantics.model.dbt_manifest_parser import parse_manifest_from_dbt_generated_manifest

from dbt_harness import parse_project

ROOT = Path(__file__).resolve().parents[2]
# dbt_utils' names: a consumer who also installs dbt_utils would have two tests of one name.
UNNAMESPACED_TESTS = ("expression_is_true", "unique_combination_of_columns")
# The one legitimate use: "is this project the root project?" (macros/mrr_is_standalone.sql
# and the YAML configs that spell it out). Anything else that reads project_name
# means this package's own name and must write 'mrr'.
STANDALONE_TEST = re.compile(r"project_name\s*==\s*'mrr'")


def project_name_misuses(root: Path) -> list:
    found = []
    for folder in ("macros", "models", "seeds", "tests", "analyses"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix not in (".sql", ".yml", ".yaml") or not path.is_file():
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                code = STANDALONE_TEST.sub("", line.split("--")[0])
                if re.search(r"\bproject_name\b", code) and not code.lstrip().startswith(("#", "`")) \
                        and not re.search(r"`project_name`", code):
                    found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    return found


def unnamespaced_generic_tests(root: Path) -> list:
    pattern = re.compile(rf"(?<![\w.])({'|'.join(UNNAMESPACED_TESTS)})\b")
    found = []
    for path in sorted(root.rglob("*.y*ml")):
        parts = set(path.relative_to(root).parts)
        if parts & {".venv", "target", "dbt_packages", "node_modules", ".git"}:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    return found


def test_project_name_is_not_used_for_this_packages_own_nodes():
    assert project_name_misuses(ROOT) == [], (
        "in an installed package project_name is the ROOT project's name; write 'mrr' where "
        "this package's own nodes are meant (macros/mrr_own_relation.sql)")


def test_the_project_name_check_catches_a_planted_use(tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(ROOT / "macros", copy / "macros")
    planted = copy / "macros" / "mrr_series_built_together.sql"
    text = planted.read_text(encoding="utf-8")
    assert "('model.mrr.' ~ name)" in text
    planted.write_text(text.replace("('model.mrr.' ~ name)", "('model.' ~ project_name ~ '.' ~ name)"),
                       encoding="utf-8")
    assert project_name_misuses(copy) == [
        "macros/mrr_series_built_together.sql:9: {%- if ('model.' ~ project_name ~ '.' ~ name) not in selected -%}"]


UNQUALIFIED_REF = re.compile(r"\bref\(\s*(?!'mrr'\s*,)[^)\s]")


def unqualified_refs(root: Path) -> list:
    found = []
    for folder in ("models", "macros", "tests/data", "analyses"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix not in (".sql", ".yml") or not path.is_file():
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if UNQUALIFIED_REF.search(line) and "input:" not in line:
                    found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    return found


def test_refs_name_this_package():
    # In an installed package an unqualified ref('dim_customers') resolves to the ROOT
    # project's model of that name first (dbt's rule for overriding a package model):
    # a consumer's own dim_customers would silently feed this package's marts.
    assert unqualified_refs(ROOT) == [], "write ref('mrr', 'model'); perl command in docs/package.md"


def test_the_ref_check_catches_a_planted_ref(tmp_path):
    shutil.copytree(ROOT / "models" / "marts" / "finance", tmp_path / "models")
    path = tmp_path / "models" / "fct_churn.sql"
    text = path.read_text(encoding="utf-8")
    assert "ref('mrr', 'fct_mrr_movements')" in text
    path.write_text(text.replace("ref('mrr', 'fct_mrr_movements')", "ref('fct_mrr_movements')"), encoding="utf-8")
    assert [f.split(":")[0] for f in unqualified_refs(tmp_path)] == ["models/fct_churn.sql"]


def test_generic_tests_carry_the_namespace():
    assert sorted(p.stem for p in (ROOT / "tests" / "generic").glob("*.sql")
                  if not p.stem.startswith("mrr_")) == []
    assert unnamespaced_generic_tests(ROOT) == [], (
        "rename to mrr_expression_is_true / mrr_unique_combination_of_columns "
        "(the perl command in docs/package.md)")


def test_the_generic_test_check_catches_a_planted_name(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "_x.yml").write_text(
        "models:\n  - name: x\n    data_tests:\n      - unique_combination_of_columns:\n"
        "      - mrr_expression_is_true:\n", encoding="utf-8")
    assert [f.split(":")[1] for f in unnamespaced_generic_tests(tmp_path)] == ["4"]


def _configs_with_vars(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _configs_with_vars(value, (*path, key))
    elif isinstance(node, str) and re.search(r"\bvar\s*\(", node):
        yield "/".join(map(str, path))


@pytest.mark.parametrize("section", ["models", "seeds", "data_tests", "snapshots"])
def test_dbt_project_configs_read_no_vars(section):
    # dbt renders these configs with command-line vars only: a package's vars set in the
    # consumer's dbt_project.yml (`vars: mrr: ...`) would not switch them. A switch
    # that reads a var (a source system's folder) goes in the folder's properties YAML.
    project = yaml.safe_load((ROOT / "dbt_project.yml").read_text(encoding="utf-8"))
    assert list(_configs_with_vars(project.get(section) or {})) == []


def test_package_version_and_dbt_requirement():
    project = yaml.safe_load((ROOT / "dbt_project.yml").read_text(encoding="utf-8"))
    assert re.fullmatch(r"\d+\.\d+\.\d+", str(project["version"]))
    assert project["require-dbt-version"]
    assert f"version {project['version']}" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert (ROOT / "LICENSE").is_file()


# Every name MetricFlow holds project-wide, as the standalone project has them. With
# var mrr_semantic_prefix set, each must carry it (a consumer's own metric `mrr` or
# entity `customer` can then sit beside the package's); with it empty, each must be
# exactly as here (dashboards, `mf query` and docs use these names).
SEMANTIC_MODELS = {
    "committed_mrr", "customer_mrr", "customers", "mrr_at_risk", "mrr_forecast", "mrr_forecast_backtest",
    "mrr_growth", "plan_mrr", "revenue"}
ENTITIES = {
    "at_risk_customer", "backtest_forecast", "committed_month", "customer", "customer_month", "forecast_month",
    "growth_month_row", "plan", "revenue_month"}
MEASURES = {
    "at_risk_customers", "backtest_abs_pct_error_sum", "backtest_forecasts_with_actual", "churned_customers",
    "churned_mrr", "committed_mrr", "committed_trial_mrr", "contraction_mrr", "expansion_mrr", "forecast_mrr",
    "mrr", "mrr_at_risk", "mrr_growth_yoy", "net_new_mrr", "new_customers", "new_mrr", "one_time_revenue",
    "opening_customers", "opening_mrr", "paying_customers", "plan_churned_mrr", "plan_contraction_mrr",
    "plan_customers", "plan_expansion_mrr", "plan_mrr", "plan_net_new_mrr", "plan_new_mrr", "plan_opening_mrr",
    "plan_reactivation_mrr", "reactivated_customers", "reactivation_mrr", "recurring_revenue", "setup_revenue",
    "total_revenue", "usage_revenue"}
# Simple metrics are named after their measure; the others:
METRICS = MEASURES | {
    "arpa", "forecast_mape", "gross_mrr_churn_rate", "gross_revenue_retention", "logo_churn_rate",
    "net_mrr_churn_rate", "net_revenue_retention", "quick_ratio"}
# A dimension is always named through its entity (mrr_customer__segment), so it keeps its name.
DIMENSIONS = {
    "at_risk_change_month", "backtest_target_month", "country", "forecast_target_month", "forward_month",
    "growth_month", "horizon_months", "month_start", "months_ahead", "movement_type", "plan_name", "product",
    "risk_reasons", "segment"}


def semantic_names(manifest) -> dict:
    """Every project-wide name of a parsed semantic manifest, by kind."""
    models = manifest.semantic_models
    return {
        "semantic models": {model.name for model in models},
        "entities": {entity.name for model in models for entity in model.entities}
                    | {model.primary_entity for model in models if model.primary_entity},
        "measures": {measure.name for model in models for measure in model.measures},
        "metrics": {metric.name for metric in manifest.metrics},
        "saved queries": {query.name for query in manifest.saved_queries},
        "dimensions": {dimension.name for model in models for dimension in model.dimensions},
    }


@pytest.mark.parametrize("prefix", ["", "pkg_"])
def test_semantic_layer_names_carry_the_prefix(tmp_path, prefix):
    # Parse only (no build): what MetricFlow reads is the semantic manifest dbt writes.
    result = parse_project(tmp_path / "names.duckdb", tmp_path, {"mrr_semantic_prefix": prefix})
    assert result.success, result.exception
    manifest = parse_manifest_from_dbt_generated_manifest(
        manifest_json_string=(tmp_path / "target" / "semantic_manifest.json").read_text(encoding="utf-8"))
    validation = SemanticManifestValidator().validate_semantic_manifest(manifest)
    assert not validation.has_blocking_issues, [issue.as_readable_str() for issue in validation.errors]

    expected = {"semantic models": SEMANTIC_MODELS, "entities": ENTITIES, "measures": MEASURES,
                "metrics": METRICS, "saved queries": set()}
    names = semantic_names(manifest)
    for kind, today in expected.items():
        assert names[kind] == {prefix + name for name in today}, (
            kind, sorted(names[kind] - {prefix + name for name in today}))
    assert names["dimensions"] == DIMENSIONS
    # Metric labels are project-wide too (MetricFlow requires them unique).
    assert all(metric.label.startswith(prefix) for metric in manifest.metrics)
    # A measure without `expr` reads the column named like the measure: with the
    # prefix that column would not exist, so every measure names its column.
    assert [measure.name for model in manifest.semantic_models for measure in model.measures
            if not measure.expr] == []
