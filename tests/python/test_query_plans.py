"""Plan regressions (issue 12, item 4): the heaviest models must keep the join and
aggregate forms that make the build fast at scale.

A small generated data set (src/mrr_tools/scale_data.py, a few hundred
customers) is built with `dbt run`; then each heavy model's compiled SQL is
EXPLAINed on DuckDB and the plan is checked for a known-slow form:

- a range join (items or invoice lines to months, amounts to FX rates) must stay a
  range or hash join (IE_JOIN, PIECEWISE_MERGE_JOIN, HASH_JOIN), never a nested loop
  or a cross product (quadratic at scale), and with no OR in its conditions (an
  open end written as "is null or ..." becomes a residual filter on every pair);
- the MRR series and their movements (int_customer_*mrr_monthly, fct_mrr,
  fct_mrr_by_plan) never sort the series' months: they sort only the changes of
  their items and the periods between them, below the range join that turns
  periods into months (macros/mrr_series_periods_ctes.sql; lag/lead over the
  months sorts every customer-month), with one group by (of the changes) and no
  self-join (a full outer join of each month with the month before ran out of
  memory at scale on the customer-and-plan series);
- the by-plan series group on the whole-number plan_key, not on plan_id;
- the reconciliation is hash joins, with no window;
- the data test mrr_series_is_chained reads each series mart in one scan, with no
  sort and no join of the mart (a window over fct_mrr_by_plan costs several
  times the one scan);
- an incremental night of the series marts expands only the periods and months
  of its scope (a join over every customer-month ran out of memory at scale);
- the MRR models filter on the unrounded sum, so no filter rounds 128-bit decimals
  (the round runs once, in the projection);
- an incremental night of the base models compares every key's raw rows with its
  stored record (rows that arrived late) only when there are such rows, and then in
  one aggregate of the raw table and one hash join with the stored table, never a
  nested loop.

The data is small, so DuckDB's shortcut for tiny inputs (a nested loop below
`nested_loop_join_threshold` rows) is switched off: the plan is the one the same
SQL gets at scale.
"""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from dbt.cli.main import dbtRunner

from dbt_harness import _environment
from mrr_tools import scale_data as generate_scale_data

PROJECT_DIR = Path(__file__).resolve().parents[2]

SCHEMA = "raw_scale"
AS_OF = "2026-10-31"
NEXT_DAY = "2026-11-01"
INCREMENTAL_SERIES = ("fct_mrr", "fct_mrr_by_plan")
INCREMENTAL_BASE = ("base_billing__invoices", "base_billing__subscription_items")
# The raw table and key of each, for the rows delivered late.
LATE_ROWS = {"base_billing__invoices": ("invoices", "invoice_id"),
             "base_billing__subscription_items": ("subscription_items", "subscription_item_id")}
SLOW_JOINS = {"NESTED_LOOP_JOIN", "BLOCKWISE_NL_JOIN", "CROSS_PRODUCT"}
RANGE_JOINS = {"IE_JOIN", "PIECEWISE_MERGE_JOIN", "HASH_JOIN"}
WINDOWS = {"WINDOW", "STREAMING_WINDOW"}

# model -> path under target/compiled/mrr/models
MODELS = {
    "int_customer_invoiced_mrr_monthly": "intermediate/int_customer_invoiced_mrr_monthly.sql",
    "fct_mrr": "marts/finance/fct_mrr.sql",
    "fct_mrr_by_plan": "marts/finance/fct_mrr_by_plan.sql",
    "fct_mrr_reconciliation": "marts/finance/fct_mrr_reconciliation.sql",
    "base_billing__invoices": "staging/billing/base/base_billing__invoices.sql",
    "base_billing__subscription_items": "staging/billing/base/base_billing__subscription_items.sql",
    "int_subscription_items_converted": "intermediate/int_subscription_items_converted.sql",
}


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    """{model: list of (operator name, extra_info)} from EXPLAIN of its compiled SQL."""
    work = tmp_path_factory.mktemp("plans")
    db = work / "plans.duckdb"
    generate_scale_data.generate(str(db), 300, SCHEMA, None, AS_OF, 42, threads=1, memory_limit="1GB",
                                 quiet=True, shape="standard")
    env = {"MRR_DUCKDB_PATH": str(db), "DBT_PROFILES_DIR": str(PROJECT_DIR),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "False", "MRR_TARGET": "duckdb"}

    def dbt(command: str, *selection: str, as_of: str = AS_OF):
        with _environment(**env):
            result = dbtRunner().invoke([
                command, "--select", *selection,
                "--vars", json.dumps({"billing_schema": SCHEMA, "as_of_date": as_of}),
                "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
                "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
                "--no-partial-parse", "--quiet",
            ])
        assert result.success, f"dbt {command} {' '.join(selection)} failed: {result.exception}"

    # With the record of what the series were built from, so the night below has a scope.
    dbt("run", *[f"+{model}" for model in MODELS], "int_series_built_inputs", "int_series_built_months")
    # Data tests are not compiled by `dbt run`.
    dbt("compile", "test_name:mrr_series_is_chained")

    compiled = work / "target" / "compiled" / "mrr" / "models"
    chain_tests = sorted((compiled / "marts" / "finance").rglob("mrr_series_is_chained_*.sql"))
    assert len(chain_tests) == 2, f"expected the chain tests of fct_mrr and fct_mrr_by_plan: {chain_tests}"
    # Plain connect: read_only fails after dbt opened the file in this process.
    con = duckdb.connect(str(db))
    try:
        con.execute("set nested_loop_join_threshold = 0")
        out = {}
        for model, path in MODELS.items():
            sql = (compiled / path).read_text()
            plan = json.loads(con.execute("explain (format json) " + sql).fetchall()[0][1])
            out[model] = list(_operators(plan))
            out[model + ":sorted_months"] = _windows_above_range_joins(plan)
        for path in chain_tests:
            plan = json.loads(con.execute("explain (format json) " + path.read_text()).fetchall()[0][1])
            out[path.stem] = list(_operators(plan))
    finally:
        con.close()

    # A night: as_of_date a day later opens a new month, the series' scope
    # (int_series_rebuild_scope). Then the incremental SQL of the series marts, run
    # with the profiler on, says how many rows each join made.
    dbt("run", "+fct_mrr", "+fct_mrr_by_plan", "int_series_built_inputs", "int_series_built_months", as_of=NEXT_DAY)
    con = duckdb.connect(str(db))
    try:
        for model in INCREMENTAL_SERIES:
            sql = (compiled / MODELS[model]).read_text()
            profile = work / f"{model}.profile.json"
            con.execute("set enable_profiling = 'json'; set profiling_mode = 'detailed'")
            con.execute(f"set profiling_output = '{profile}'")
            con.execute(sql).fetchall()
            con.execute("set enable_profiling = 'no_output'")
            operators = _operator_rows(json.loads(profile.read_text())["operator"])
            joins = [rows for name, rows in operators if "JOIN" in name]
            stored = con.execute(f"select count(*) from {model}").fetchall()[0][0]
            scoped = con.execute("select count(*) from int_series_rebuild_scope").fetchall()[0][0]
            out[model + ":incremental"] = {"largest_join": max(joins), "stored_rows": stored, "scope_rows": scoped}
        # The base models of that night: every raw row arrived in order.
        for model in INCREMENTAL_BASE:
            out[model + ":in_order_sql"] = (compiled / MODELS[model]).read_text()
        # Then an older version of one record per table, delivered weeks after its
        # updated_at: the next run must compare the keys.
        for table, key in LATE_ROWS.values():
            con.execute(f"""
                insert into {SCHEMA}.{table}
                select * replace (updated_at - interval 30 day as updated_at)
                from {SCHEMA}.{table}
                where {key} = (select min({key}) from {SCHEMA}.{table} where trim({key}) <> '')
                limit 1""")
    finally:
        con.close()
    dbt("run", *INCREMENTAL_BASE, as_of=NEXT_DAY)
    con = duckdb.connect(str(db))
    try:
        con.execute("set nested_loop_join_threshold = 0")
        for model in INCREMENTAL_BASE:
            sql = (compiled / MODELS[model]).read_text()
            out[model + ":late_sql"] = sql
            plan = json.loads(con.execute("explain (format json) " + sql).fetchall()[0][1])
            out[model + ":late"] = list(_operators(plan))
            out[model + ":late_tree"] = plan
    finally:
        con.close()
    return out


def _operator_rows(nodes):
    for node in nodes if isinstance(nodes, list) else [nodes]:
        yield node.get("type", ""), node.get("intermediate_rows", 0)
        yield from _operator_rows(node.get("children", []))


def _windows_above_range_joins(nodes, above_window=False):
    """The range or merge joins that have a window among their ancestors."""
    found = []
    for node in nodes if isinstance(nodes, list) else [nodes]:
        name = node.get("name", "").strip()
        if above_window and name in RANGE_JOINS - {"HASH_JOIN"}:
            found.append(json.dumps(node.get("extra_info", {})))
        found += _windows_above_range_joins(node.get("children", []), above_window or name in WINDOWS)
    return found


def _operators(nodes):
    for node in nodes if isinstance(nodes, list) else [nodes]:
        yield node.get("name", "").strip(), json.dumps(node.get("extra_info", {}))
        yield from _operators(node.get("children", []))


def _names(operators):
    return [name for name, _ in operators]


@pytest.mark.parametrize("model", [
    "fct_mrr", "fct_mrr_by_plan", "int_customer_invoiced_mrr_monthly",
    "base_billing__invoices", "base_billing__subscription_items", "int_subscription_items_converted",
])
def test_range_joins_stay_range_joins(plans, model):
    names = _names(plans[model])
    slow = sorted(SLOW_JOINS.intersection(names))
    assert not slow, f"{model}: the range join became {slow}; plan operators: {names}"
    assert RANGE_JOINS.intersection(names), f"{model}: no range or hash join in {names}"
    # DuckDB 2.0 keeps an OR'ed condition as a residual of a merge join on the other
    # inequality: not quadratic, but every candidate pair is then filtered row by row.
    residual = [info for name, info in plans[model] if name in RANGE_JOINS and " OR " in info.upper()]
    assert not residual, f"{model}: a join condition with OR (checked row by row): {residual}"


@pytest.mark.parametrize("model", INCREMENTAL_SERIES)
def test_series_sort_changes_not_months(plans, model):
    names = _names(plans[model])
    assert not SLOW_JOINS.intersection(names), f"{model}: a nested loop or cross product in {names}"
    # The windows are the running sum over the items' changes and the series' first
    # paying month over its periods; they must sit below the range join with the
    # month spine, never above it (a sort of every month).
    assert WINDOWS.intersection(names), f"{model}: no running sum over the changes: {names}"
    sorted_months = plans[model + ":sorted_months"]
    assert not sorted_months, f"{model}: a window above the join with the months sorts every month: {sorted_months}"
    groups = [info for name, info in plans[model] if name in ("HASH_GROUP_BY", "PERFECT_HASH_GROUP_BY")]
    assert len(groups) <= 1, f"{model}: more than the one group by of the changes: {names}"
    full_joins = [info for name, info in plans[model] if name == "HASH_JOIN" and "FULL" in info]
    assert not full_joins, f"{model}: a full outer join of the series with itself: {names}"


@pytest.mark.parametrize("model", ["fct_mrr_by_plan"])
def test_plan_series_key_on_plan_key(plans, model):
    # The by-plan series group on the whole-number plan_key: on the long plan ids
    # the group by and the sort that it replaced cost about a third more CPU at scale.
    # A window names its keys; a group by names positions, so read its keys off the
    # projection that feeds it (its child, next in this pre-order list): the first
    # as many expressions as it has groups. The rest are aggregated (the plan's
    # attributes ride along as max(), one value per series).
    operators = plans[model]
    keyed = []
    for position, (name, info) in enumerate(operators):
        if name in WINDOWS:
            keyed.append(info)
        elif name in ("HASH_GROUP_BY", "PERFECT_HASH_GROUP_BY") and position + 1 < len(operators):
            groups = json.loads(info).get("Groups", [])
            groups = groups if isinstance(groups, list) else [groups]
            feeding = json.loads(operators[position + 1][1]).get("Projections", [])
            feeding = feeding if isinstance(feeding, list) else [feeding]
            keyed.append(json.dumps(feeding[:len(groups)]))
    on_plan = [info for info in keyed if "plan_key" in info or "plan_id" in info]
    assert on_plan, f"{model}: no group by or window on the plan: {operators}"
    on_plan_id = [info for info in on_plan if "plan_id" in info]
    assert not on_plan_id, f"{model}: the series are grouped or sorted on plan_id, not plan_key: {on_plan_id}"


def test_chain_test_reads_the_mart_without_sorting_or_joining(plans):
    chain_tests = {name: operators for name, operators in plans.items() if name.startswith("mrr_series_is_chained_")}
    assert len(chain_tests) == 2, sorted(plans)
    # Only the one-row max(month) is crossed with the mart (a CROSS_PRODUCT); any
    # other join or a group by would read the mart against itself.
    joins_or_groups = RANGE_JOINS | (SLOW_JOINS - {"CROSS_PRODUCT"}) | {"HASH_GROUP_BY", "PERFECT_HASH_GROUP_BY"}
    for name, operators in chain_tests.items():
        names = _names(operators)
        sorting = sorted(set(names) & (WINDOWS | {"ORDER_BY", "TOP_N"}))
        assert not sorting, f"{name}: sorts the mart ({sorting}); one scan summing fingerprints is meant: {names}"
        joins = sorted(set(names) & joins_or_groups)
        assert not joins, f"{name}: joins or groups the mart ({joins}): {names}"


def test_reconciliation_is_hash_joins(plans):
    names = _names(plans["fct_mrr_reconciliation"])
    assert not SLOW_JOINS.intersection(names), f"a nested loop or cross product in {names}"
    assert not WINDOWS.intersection(names), (
        f"a window (a sort of every row) where hash joins are meant: {names}")
    full_joins = [info for name, info in plans["fct_mrr_reconciliation"] if name == "HASH_JOIN" and "FULL" in info]
    assert full_joins, f"the full outer hash join is gone: {names}"


@pytest.mark.parametrize("model", INCREMENTAL_SERIES)
def test_mrr_filter_does_not_round(plans, model):
    rounding_filters = [info for name, info in plans[model] if name == "FILTER" and "round(" in info]
    assert not rounding_filters, f"{model}: a filter rounds every row again: {rounding_filters}"


@pytest.mark.parametrize("model", INCREMENTAL_SERIES)
def test_incremental_series_expand_only_their_scope(plans, model):
    # A night recomputes the scope's customers and months: the months of the
    # other customers' periods must be matched to the scope's months before they
    # are expanded, not after (every customer-month of the mart, which ran out of
    # memory at scale). Here the scope is the new
    # month alone, a fraction of the stored rows.
    found = plans[model + ":incremental"]
    assert found["scope_rows"] > 0, f"{model}: the night had no scope: {found}"
    assert found["largest_join"] * 4 < found["stored_rows"], (
        f"{model}: an incremental run joined as many rows as a full build: {found}")


def _key_comparisons(nodes):
    """Hash joins whose child aggregates rows by key with count(*) and max(): the
    comparison of each key's raw rows with its stored record."""
    found = []
    for node in nodes if isinstance(nodes, list) else [nodes]:
        children = node.get("children", [])
        if node.get("name", "").strip() == "HASH_JOIN":
            for child in children:
                info = json.dumps(child.get("extra_info", {}))
                if child.get("name", "").strip() == "HASH_GROUP_BY" and "count_star()" in info and "max(" in info:
                    found.append(json.dumps(node.get("extra_info", {})))
        found += _key_comparisons(children)
    return found


@pytest.mark.parametrize("model", INCREMENTAL_BASE)
def test_base_models_compare_keys_only_for_late_rows(plans, model):
    # A night whose raw rows all arrived in order reads the new ones by updated_at
    # alone: no aggregate of the whole raw table (macros/mrr_read_state.sql).
    assert "as raw_versions" not in plans[model + ":in_order_sql"], (
        f"{model}: the key comparison ran on a night without late rows")
    assert "as raw_versions" in plans[model + ":late_sql"], f"{model}: late rows, but no key comparison"
    names = _names(plans[model + ":late"])
    slow = sorted(SLOW_JOINS.intersection(names))
    assert not slow, f"{model}: a nested loop or cross product on a night with late rows: {names}"
    compared = _key_comparisons(plans[model + ":late_tree"])
    assert len(compared) == 1 and "record_id = record_id" in compared[0], (
        f"{model}: the raw rows per key are not compared with the stored records in one hash join: {compared}")
