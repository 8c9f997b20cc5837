"""The Stripe path gives the same marts as the native path on the same histories.

Each case takes a seeded random history (src/mrr_tools/random_histories.py), cuts it
down to what Stripe can express (mrr_tools/stripe_fixtures/from_native.py says what and why), and
builds it twice: once from the seven raw tables, once from the same history as
Fivetran's Stripe tables with var billing_source: stripe. Every row of every mart
must be equal, value for value.

On the Stripe side, every third customer's subscriptions carry coupons of their own
and the customer coupons of its own besides (mrr_tools/stripe_fixtures/variations.py): a
subscription's coupon takes precedence, so the customer coupons must change no
mart, and the native build, which never sees them, is the reference. One history
has every price and invoice in a foreign currency, where a rate re-locked at a cut
that changes nothing would show.
"""
from __future__ import annotations

import pytest

from dbt_harness import RAW_SCHEMA, read_marts, run_dbt_build, write_raw_tables
from mrr_tools.random_histories import generate
from mrr_tools.stripe_fixtures.fivetran_tables import STRIPE_SCHEMA, write_stripe_tables
from mrr_tools.stripe_fixtures.from_native import convert
from mrr_tools.stripe_fixtures.variations import in_foreign_currencies, with_customer_coupons_under_own

COMPARED = ("fct_mrr", "fct_mrr_movements", "fct_churn", "fct_revenue", "fct_mrr_reconciliation",
            "dim_customers", "audit_rejected_records", "audit_raw_row_accounting")

# (case id, seed, var overrides, every amount in a foreign currency). The golden
# cases (test_stripe_golden.py) cover each Stripe rule on its own.
CASES = [
    ("seed21", 21, {}, False),
    # Trials counted: a customer coupon that starts in a trial then applies to it.
    ("seed22-trials-included", 22, {"mrr_include_trials": True}, False),
    ("seed23-foreign-currencies", 23, {}, True),
]


def _build(work_dir, write, variables, data_tests):
    work_dir.mkdir(parents=True, exist_ok=True)
    db_path = work_dir / "mrr_test.duckdb"
    write(db_path)
    failed = run_dbt_build(db_path, work_dir, variables, data_tests=data_tests)
    marts = read_marts(db_path, COMPARED)
    return marts, failed


@pytest.fixture(scope="module", params=CASES, ids=[c[0] for c in CASES])
def both_paths(request, tmp_path_factory):
    name, seed, overrides, foreign = request.param
    history = generate(seed)
    variables = history.variables(**overrides)
    restricted, stripe_tables = convert(in_foreign_currencies(history.tables) if foreign else history.tables)
    layered = with_customer_coupons_under_own(restricted, stripe_tables, seed)
    assert len(layered) >= 5, name
    work = tmp_path_factory.mktemp(name)
    # The native path's data tests run in `make test` already; the Stripe path's run here.
    native = _build(work / "native", lambda db: write_raw_tables(db, restricted), variables, data_tests=False)

    def write_stripe(db):
        write_raw_tables(db, {"fx_rates": restricted["fx_rates"]})
        write_stripe_tables(db, stripe_tables)
    stripe = _build(work / "stripe", write_stripe,
                    {**variables, "billing_source": "stripe", "stripe_schema": STRIPE_SCHEMA,
                     "billing_schema": RAW_SCHEMA}, data_tests=True)
    return name, restricted, native, stripe, layered


def _rows(rows):
    return sorted((tuple(sorted(r.items())) for r in rows), key=repr)


@pytest.mark.parametrize("mart", COMPARED)
def test_stripe_mart_equals_native_mart(both_paths, mart):
    name, _restricted, (native, _), (stripe, _), _layered = both_paths
    native_rows, stripe_rows = _rows(native[mart]), _rows(stripe[mart])
    only_native = [r for r in native_rows if r not in stripe_rows]
    only_stripe = [r for r in stripe_rows if r not in native_rows]
    assert not only_native and not only_stripe, (
        f"{name} {mart}: {len(only_native)} rows only in the native build, {len(only_stripe)} only in the "
        f"Stripe build\n  native: " + "\n  native: ".join(map(str, only_native[:5]))
        + "\n  stripe: " + "\n  stripe: ".join(map(str, only_stripe[:5])))


def test_histories_keep_what_the_comparison_is_about(both_paths):
    # The restriction must not hollow the histories out: MRR, movements of every
    # kind, revenue and a rejected record must all still be there.
    name, restricted, (native, _), _, layered = both_paths
    kinds = {r["movement_type"] for r in native["fct_mrr"]}
    assert {"new", "expansion", "contraction", "churn", "retained"} <= kinds, (name, kinds)
    assert len({r["customer_id"] for r in native["fct_mrr"]}) >= 20, name
    assert any(r["total_revenue"] for r in native["fct_revenue"]), name
    assert native["audit_rejected_records"], name
    assert any(item["discount_percent"] for item in restricted["subscription_items"]), name
    # The customer coupons fall on customers with MRR, so the comparison is about them.
    assert len({r["customer_id"] for r in native["fct_mrr"] if r["mrr"] and r["customer_id"] in layered}) >= 3, name
    if "foreign" in name:
        assert not [p for p in restricted["plans"] if p["currency"] == "USD"], name


def test_stripe_build_passes_its_data_tests(both_paths):
    name, _restricted, _native, (_, stripe_failed), _layered = both_paths
    assert not stripe_failed, f"{name}: {stripe_failed}"
