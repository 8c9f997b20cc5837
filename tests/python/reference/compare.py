"""Row-by-row comparison of dbt marts with the Python reference.

Amounts agree to 0.01 and ratios to 0.0001 (the marts round to 6 and 10 places,
the reference does not); every other column must match exactly. The marts of spec
section 9 are held closer: money exactly at 6 decimals (MONEY_6DP: both sides
rounded half away from zero), the trend's loss rate exactly at 8, growth ratios
and forecast errors within 1e-9. The report names
the first differing rows by key and column so a failure reads on its own.
"""
from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

AMOUNT = Decimal("0.01")
RATE = Decimal("0.0001")
FLOAT_RATIO = Decimal("1e-9")
MONEY_6DP = ("places", 6)
RATE_8DP = ("places", 8)

_MONEY = ("opening_mrr", "new_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr", "reactivation_mrr",
          "net_new_mrr", "closing_mrr", "arpa")
_COUNTS = ("opening_customers", "new_customers", "expansion_customers", "contraction_customers",
           "churned_customers", "reactivated_customers", "closing_customers")
_RATIOS = ("logo_churn_rate", "gross_mrr_churn_rate", "net_mrr_churn_rate", "net_revenue_retention",
           "gross_revenue_retention", "quick_ratio")
_REVENUE = ("recurring_revenue", "usage_revenue", "one_time_revenue", "setup_revenue", "total_revenue")

_FORWARD_MONEY = ("opening_mrr", "new_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr", "reactivation_mrr",
                  "net_new_mrr", "closing_mrr", "arpa", "trial_mrr")
_FORWARD_COUNTS = _COUNTS + ("months_ahead", "retained_customers")

# mart -> (key columns, {column: tolerance, ("places", n) or None for exact})
LAYOUT = {
    "fct_mrr_committed": (("month",), {**{c: MONEY_6DP for c in _FORWARD_MONEY},
                                       **{c: None for c in _FORWARD_COUNTS}}),
    "fct_mrr_forecast": (("month",), {
        "months_ahead": None, **{c: MONEY_6DP for c in (
            "committed_mrr", "forecast_mrr", "forecast_gains", "forecast_losses", "scheduled_gains",
            "scheduled_losses", "trend_gains")},
        "trend_loss_rate": RATE_8DP, "trend_months": None}),
    "fct_mrr_forecast_backtest": (("forecast_month", "horizon_months"), {
        "target_month": None, "forecast_mrr": MONEY_6DP, "actual_mrr": MONEY_6DP, "error": MONEY_6DP,
        "abs_pct_error": FLOAT_RATIO}),
    "fct_mrr_growth": (("month",), {
        "closing_mrr": MONEY_6DP, "arpa": MONEY_6DP,
        **{c: FLOAT_RATIO for c in ("mrr_growth_mom", "mrr_growth_yoy", "cmgr_6m", "cmgr_12m", "arpa_growth_yoy")}}),
    "fct_mrr_at_risk": (("customer_id",), {
        "segment": None, "country_code": None, "current_mrr": MONEY_6DP, "committed_min_mrr": MONEY_6DP,
        "scheduled_loss_mrr": MONEY_6DP, "scheduled_change_month": None, "is_scheduled_churn": None,
        "overdue_invoices": None, "overdue_amount": MONEY_6DP, "oldest_due_date": None, "days_overdue": None,
        "is_delinquent": None, "mrr_3_months_ago": MONEY_6DP, "is_contracting": None, "mrr_at_risk": MONEY_6DP,
        "risk_reasons": None}),
    "fct_mrr": (("month", "customer_id"), {"mrr": AMOUNT, "previous_mrr": AMOUNT, "movement_type": None,
                                           "movement_amount": AMOUNT}),
    "fct_mrr_movements": (("month",), {**{c: AMOUNT for c in _MONEY}, **{c: None for c in _COUNTS}}),
    "fct_churn": (("month",), {**{c: RATE for c in _RATIOS}, "arpa": AMOUNT}),
    "fct_revenue": (("month",), {c: AMOUNT for c in _REVENUE}),
    "fct_mrr_by_plan": (("month", "customer_id", "plan_id"), {
        "plan_name": None, "product_name": None, "segment": None, "country_code": None,
        "mrr": AMOUNT, "previous_mrr": AMOUNT, "movement_type": None, "movement_amount": AMOUNT}),
    "fct_cohort_retention": (("cohort_month", "month"), {
        "months_since_start": None, "cohort_customers": None, "cohort_starting_mrr": AMOUNT,
        "active_customers": None, "mrr": AMOUNT,
        "logo_retention": RATE, "net_mrr_retention": RATE, "gross_mrr_retention": RATE}),
    "dim_customers": (("customer_id",), {"first_mrr_month": None, "last_mrr_month": None,
                                         "current_mrr": AMOUNT}),
}


def _same(dbt_value, ref_value, tolerance):
    if dbt_value is None or ref_value is None:
        return dbt_value is None and ref_value is None
    if tolerance is None:
        return dbt_value == ref_value
    if isinstance(tolerance, tuple):
        step = Decimal(1).scaleb(-tolerance[1])
        return (Decimal(str(dbt_value)).quantize(step, rounding=ROUND_HALF_UP)
                == Decimal(ref_value).quantize(step, rounding=ROUND_HALF_UP))
    return abs(Decimal(str(dbt_value)) - Decimal(ref_value)) <= tolerance


def _show(value):
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.0000001")) if value.as_tuple().exponent < -7 else value)
    return repr(value)


def diff_mart(mart, dbt_rows, ref_rows):
    """Differences as readable lines, in key order (empty when the mart agrees)."""
    if mart == "audit_rejected_records":
        return diff_audit(dbt_rows, ref_rows)
    keys, columns = LAYOUT[mart]
    dbt_by_key = {tuple(r[k] for k in keys): r for r in dbt_rows}
    ref_by_key = {tuple(r[k] for k in keys): r for r in ref_rows}
    problems = []
    if len(dbt_by_key) != len(dbt_rows):
        dupes = [k for k, n in Counter(tuple(r[k] for k in keys) for r in dbt_rows).items() if n > 1]
        problems.append(f"{mart}: dbt has duplicate keys {dupes[:5]}")
    for key in sorted(set(dbt_by_key) | set(ref_by_key), key=lambda k: tuple(str(v) for v in k)):
        label = ", ".join(f"{k}={v}" for k, v in zip(keys, key))
        if key not in ref_by_key:
            row = dbt_by_key[key]
            problems.append(f"{mart}[{label}]: only in dbt: " + ", ".join(
                f"{c}={_show(row.get(c))}" for c in columns))
            continue
        if key not in dbt_by_key:
            row = ref_by_key[key]
            problems.append(f"{mart}[{label}]: only in reference: " + ", ".join(
                f"{c}={_show(row.get(c))}" for c in columns))
            continue
        for column, tolerance in columns.items():
            dbt_value, ref_value = dbt_by_key[key].get(column), ref_by_key[key].get(column)
            if not _same(dbt_value, ref_value, tolerance):
                problems.append(f"{mart}[{label}].{column}: dbt={_show(dbt_value)} reference={_show(ref_value)}")
    return problems


def diff_audit(dbt_rows, ref_rows):
    """The audit is a multiset of (source_table, record_id, reason)."""
    def bag(rows):
        return Counter((r["source_table"], r["record_id"], r["reason"]) for r in rows)
    dbt_bag, ref_bag = bag(dbt_rows), bag(ref_rows)
    problems = []
    for row in sorted(set(dbt_bag) | set(ref_bag), key=lambda r: tuple(str(v) for v in r)):
        if dbt_bag[row] != ref_bag[row]:
            problems.append(f"audit_rejected_records{row}: dbt has {dbt_bag[row]}, reference has {ref_bag[row]}")
    return problems


def report(dbt_marts, ref_marts, marts, limit=25):
    """One text block with the first ``limit`` differences of each mart, or '' when all agree."""
    blocks = []
    for mart in marts:
        problems = diff_mart(mart, dbt_marts[mart], ref_marts[mart])
        if problems:
            shown = problems[:limit]
            more = f"\n  ... and {len(problems) - limit} more" if len(problems) > limit else ""
            blocks.append(f"{mart}: {len(problems)} differences\n  " + "\n  ".join(shown) + more)
    return "\n".join(blocks)
