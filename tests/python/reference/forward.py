"""Spec section 9, naively: the forward book, the baseline forecast and its backtest,
growth, and revenue at risk.

Written from the spec alone, like the rest of the reference. It reuses the
reference's own rules for sections 3-6 (``active_spans``, ``customer_mrr_on``,
``bridge_month``) on other snapshot days, so the forward book is by construction
"sections 3-6 applied unchanged", and adds only what section 9 defines, with
exact decimals and the spec's roundings (g to 6 dp, c to 8 dp, round(c * F, 6)).

Where section 9 leaves a detail open the choice is written next to the code that
makes it (search for "Reading:").
"""
from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from reference.mrr_reference import _lower, _upper, active_spans, bridge_month, customer_mrr_on

FORWARD_DEFAULTS = {
    "mrr_forward_months": 12,
    "mrr_forecast_window_months": 3,
    "mrr_delinquent_after_days": 14,
}
OVERDUE_STATUSES = ("open", "uncollectible")
REASONS = ("scheduled_churn", "scheduled_downgrade", "delinquent", "overdue", "contracting")
_SIX_DP = Decimal("0.000001")
_EIGHT_DP = Decimal("0.00000001")


@dataclass(frozen=True)
class Book:
    """What sections 3-8 of the reference worked out, as section 9 reads it."""

    as_of: date
    variables: dict
    spans: list             # mrr_reference.Span, every item that can carry MRR
    mrr_by_month: dict      # month -> {customer: MRR (6 dp)} in the reporting window
    window: list            # the reporting window's months
    movements: list         # fct_mrr_movements rows
    ever_paid: frozenset    # customers with MRR above 0 in any month of the window
    customers: dict         # kept customers: id -> raw row
    invoices: dict          # kept invoices: id -> cleaned fields
    lines: list             # kept invoice lines
    fx_rate: Callable       # (currency, day) -> rate to the reporting currency


def round6(value: Decimal) -> Decimal:
    return value.quantize(_SIX_DP, rounding=ROUND_HALF_UP)


def round8(value: Decimal) -> Decimal:
    return value.quantize(_EIGHT_DP, rounding=ROUND_HALF_UP)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def complete_months(window: list, as_of: date) -> list:
    """Section 9: the window's months before as_of's month, and that month when as_of is its last day."""
    as_of_month = as_of.replace(day=1)
    return [m for m in window if m < as_of_month or (m == as_of_month and as_of == month_end(as_of_month))]


def trend(movements_by_month: dict, months: list) -> tuple[Decimal, Decimal]:
    """(g, c) of section 9.2 from ``months`` (g and c are 0 when there are none)."""
    if not months:
        return Decimal(0), Decimal(0)
    rows = [movements_by_month[m] for m in months]
    g = round6(sum((r["new_mrr"] + r["reactivation_mrr"] + r["expansion_mrr"] for r in rows), Decimal(0))
               / len(rows))
    rates = [-(r["churned_mrr"] + r["contraction_mrr"]) / r["opening_mrr"] for r in rows if r["opening_mrr"] > 0]
    c = round8(sum(rates, Decimal(0)) / len(rates)) if rates else Decimal(0)
    return g, c


def _growth(now, before):
    """now / before - 1; null when there is no earlier value or it is 0."""
    if now is None or before is None or before == 0:
        return None
    return now / before - 1


def _published(row, column):
    # Reading: ARPA is compared as published (6 dp, as fct_mrr_movements has it), so
    # arpa_growth_yoy can be redone from the growth mart's own columns.
    value = row[column]
    return round6(value) if column == "arpa" and value is not None else value


def _cmgr(now, before, months: int):
    if now is None or before is None or before == 0:
        return None
    return (float(now) / float(before)) ** (1 / months) - 1


def compute_forward(book: Book) -> dict:
    """The five marts of section 9, as lists of dicts with the spec's columns."""
    variables = {**FORWARD_DEFAULTS, **{k: v for k, v in book.variables.items() if v is not None}}
    forward_count = int(variables["mrr_forward_months"])
    w = int(variables["mrr_forecast_window_months"])
    delinquent_after = int(variables["mrr_delinquent_after_days"])
    include_trials = bool(variables["mrr_include_trials"])
    as_of = book.as_of
    as_of_month = as_of.replace(day=1)
    movements = {r["month"]: r for r in book.movements}
    forward_months = [add_months(as_of_month, k) for k in range(1, forward_count + 1)]

    # ------------------------------------------------------- 9.1 committed book
    current = {c: v for c, v in book.mrr_by_month.get(as_of_month, {}).items() if v > 0}
    committed, committed_mrr = [], {}  # committed_mrr: month -> {customer: MRR above 0}
    previous, paid = current, set(book.ever_paid)
    for months_ahead, month in enumerate(forward_months, 1):
        snapshot = month_end(month)
        now = {c: v for c, v in customer_mrr_on(book.spans, snapshot).items() if v > 0}
        _rows, bridge = bridge_month(month, previous, now, paid)
        if include_trials:
            trial_mrr = Decimal(0)
        else:
            # Reading: "trial_end_at falls after as_of_date" in dates, as section 4's day
            # rule reads it (a trial ending on as_of itself already counts on as_of); the
            # items' monthly amounts are summed over every customer and rounded once.
            trial_mrr = round6(sum((s.monthly for s in active_spans(book.spans, snapshot)
                                    if s.trial_end is not None and s.trial_end > as_of), Decimal(0)))
        committed.append({"month": month, "months_ahead": months_ahead,
                          **{k: v for k, v in bridge.items() if k != "month"}, "trial_mrr": trial_mrr})
        committed_mrr[month] = now
        paid.update(now)
        previous = now

    # ------------------------------------------------------ 9.2 forecast
    complete = complete_months(book.window, as_of)
    trend_window = complete[-w:] if w > 0 else []
    g, c = trend(movements, trend_window)
    forecast_value = movements[as_of_month]["closing_mrr"] if as_of_month in movements else Decimal(0)
    forecast = []
    for row in committed:
        scheduled_gains = row["new_mrr"] + row["reactivation_mrr"] + row["expansion_mrr"]
        scheduled_losses = -(row["churned_mrr"] + row["contraction_mrr"])
        gains = max(g, scheduled_gains)
        losses = max(round6(c * forecast_value), scheduled_losses)
        forecast_value = max(forecast_value + gains - losses, Decimal(0))
        forecast.append({
            "month": row["month"], "months_ahead": row["months_ahead"], "committed_mrr": row["closing_mrr"],
            "forecast_mrr": forecast_value, "forecast_gains": gains, "forecast_losses": losses,
            "scheduled_gains": scheduled_gains, "scheduled_losses": scheduled_losses,
            "trend_gains": g, "trend_loss_rate": c, "trend_months": len(trend_window),
        })

    # ------------------------------------------------------ 9.3 backtest
    backtest = []
    last_complete = complete[-1] if complete else None
    for index, made_at in enumerate(complete):
        if w < 1 or index + 1 < w:
            continue  # fewer than w complete months end with this one
        g_m, c_m = trend(movements, complete[index + 1 - w:index + 1])
        value = movements[made_at]["closing_mrr"]
        for horizon in range(1, forward_count + 1):
            target = add_months(made_at, horizon)
            if target > last_complete:
                break
            value = max(value + g_m - round6(c_m * value), Decimal(0))
            actual = movements[target]["closing_mrr"]
            error = value - actual
            backtest.append({
                "forecast_month": made_at, "horizon_months": horizon, "target_month": target,
                "forecast_mrr": value, "actual_mrr": actual, "error": error,
                "abs_pct_error": None if actual == 0 else abs(error) / actual,
            })

    # ------------------------------------------------------ 9.4 growth
    growth = []
    for month in book.window:
        def value(column, months_back=0, month=month):
            row = movements.get(add_months(month, -months_back))
            return None if row is None else _published(row, column)

        closing, arpa = value("closing_mrr"), value("arpa")
        growth.append({
            "month": month, "closing_mrr": closing,
            "mrr_growth_mom": _growth(closing, value("closing_mrr", 1)),
            "mrr_growth_yoy": _growth(closing, value("closing_mrr", 12)),
            "cmgr_6m": _cmgr(closing, value("closing_mrr", 6), 6),
            "cmgr_12m": _cmgr(closing, value("closing_mrr", 12), 12),
            "arpa": arpa,
            "arpa_growth_yoy": _growth(arpa, value("arpa", 12)),
        })

    # ------------------------------------------------------ 9.5 at risk
    overdue = {}  # customer -> [(due date, amount)]
    amounts = {}
    for line in book.lines:
        invoice = book.invoices[line["invoice_id"]]
        issued = _day(invoice["issued_at"])
        value = (line["amount"] - (line["discount_amount"] or Decimal(0))) * book.fx_rate(invoice["currency"], issued)
        amounts[line["invoice_id"]] = amounts.get(line["invoice_id"], Decimal(0)) + value
    for invoice_id, invoice in book.invoices.items():
        due, paid_at = _day(invoice["due_at"]), _day(invoice["paid_at"])
        if (invoice["status"] in OVERDUE_STATUSES and _day(invoice["issued_at"]) <= as_of
                and due is not None and due < as_of and (paid_at is None or paid_at > as_of)):
            overdue.setdefault(invoice["customer_id"], []).append((due, amounts.get(invoice_id, Decimal(0))))
    three_months_ago = add_months(as_of_month, -3)
    at_risk = []
    for customer in sorted(current):
        mrr = current[customer]
        series = [committed_mrr[m].get(customer, Decimal(0)) for m in forward_months]
        committed_min = min(series) if series else mrr
        scheduled_loss = max(mrr - committed_min, Decimal(0))
        change_month = next((m for m, v in zip(forward_months, series) if v < mrr), None)
        is_churn = committed_min == 0
        invoices = overdue.get(customer, [])
        oldest = min((due for due, _ in invoices), default=None)
        days_overdue = None if oldest is None else (as_of - oldest).days
        is_delinquent = days_overdue is not None and days_overdue > delinquent_after
        mrr_3m = book.mrr_by_month.get(three_months_ago, {}).get(customer, Decimal(0))
        is_contracting = 0 < mrr < mrr_3m
        if not (scheduled_loss > 0 or invoices or is_contracting):
            continue
        reasons = {
            "scheduled_churn": is_churn,
            "scheduled_downgrade": scheduled_loss > 0 and not is_churn,
            "delinquent": is_delinquent,
            "overdue": bool(invoices) and not is_delinquent,
            "contracting": is_contracting,
        }
        raw = book.customers[customer]
        at_risk.append({
            "customer_id": customer,
            "segment": _lower(raw.get("segment")) or None,
            "country_code": _upper(raw.get("country_code")) or None,
            "current_mrr": mrr,
            "committed_min_mrr": committed_min,
            "scheduled_loss_mrr": scheduled_loss,
            "scheduled_change_month": change_month,
            "is_scheduled_churn": is_churn,
            "overdue_invoices": len(invoices),
            # Reading: a customer without overdue invoices owes 0 (not null).
            "overdue_amount": sum((amount for _, amount in invoices), Decimal(0)),
            "oldest_due_date": oldest,
            "days_overdue": days_overdue,
            "is_delinquent": is_delinquent,
            "mrr_3_months_ago": mrr_3m,
            "is_contracting": is_contracting,
            "mrr_at_risk": mrr if (is_churn or is_delinquent) else scheduled_loss,
            "risk_reasons": ",".join(r for r in REASONS if reasons[r]),
        })

    return {
        "fct_mrr_committed": committed,
        "fct_mrr_forecast": forecast,
        "fct_mrr_forecast_backtest": backtest,
        "fct_mrr_growth": growth,
        "fct_mrr_at_risk": at_risk,
    }


def _day(value):
    return value.date() if hasattr(value, "date") else value
