#!/usr/bin/env python3
"""Planted-bug check: does the test suite catch realistic mistakes in the SQL?

Each bug below is one exact text edit of a model or macro, with the reason a
careful person could still make it. The script applies them ONE AT A TIME to a
scratch copy of the repository (never to the working tree it lives in), runs the
project's tests on it, records which check failed first, resets the copy, and
writes a markdown report (docs/planted-bugs-report.md).

    .venv/bin/python scripts/planted_bugs.py                  # every bug, report written
    .venv/bin/python scripts/planted_bugs.py --jobs 2         # two bugs at a time (2 cores)
    .venv/bin/python scripts/planted_bugs.py --only week_factor_48 --only trial_ignored
    .venv/bin/python scripts/planted_bugs.py --only week_factor_48 --update-report  # its row only
    .venv/bin/python scripts/planted_bugs.py --list
    .venv/bin/python scripts/planted_bugs.py --check          # only check the bug texts
    .venv/bin/python scripts/planted_bugs.py --check-report   # the report shows every bug caught

"The tests" are `make build-test pytest test-nightly` (the dbt build with every data
and unit test, pytest, then the nightly job's checks) with pytest stopping at the
first failure (PYTEST_ADDOPTS=-x); make stops at the first target that fails.
`make test` also lints, which cannot catch a logic bug, so lint is skipped here.

Every bug runs the whole suite, so a full run takes a while; after adding or
changing a few bugs, `--only NAME ... --update-report` runs just those and rewrites
their rows of the report, keeping each other row with the commit it was measured at.

The bug texts must stay in sync with the SQL: if an old text is not found exactly
once, the script stops before running anything and says which bug to update.
By default the scratch copy is a fresh `git worktree` of HEAD in a temp dir; the
project's .venv is symlinked into it and make is told (-o) never to rebuild the
venv stamp, so nothing is installed.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REPORT = PROJECT_ROOT / "docs" / "planted-bugs-report.md"
MAKE_TARGETS = ("build-test", "pytest", "test-nightly")
VENV_STAMP = ".venv/bin/.installed"  # $(BIN)/.installed in the Makefile
DEFAULT_TIMEOUT = 1500  # seconds per bug: a bug only the nightly checks catch runs everything


@dataclasses.dataclass(frozen=True)
class Bug:
    name: str
    layer: str  # staging, intermediate or marts (a macro counts where it is used)
    path: str  # relative to the repository root
    old: str  # must occur exactly once in the file
    new: str
    why: str  # why a careful person could write this


def lines(*parts: str) -> str:
    return "\n".join(parts)


BUGS: tuple[Bug, ...] = (
    # ------------------------------------------------------------------ staging
    Bug("earliest_version_wins", "staging", "macros/mrr_rank_versions.sql",
        "order by {{ version_column }} desc nulls last",
        "order by {{ version_column }} asc nulls last",
        "Ascending is the default sort order; forgetting `desc` makes the first delivered "
        "version of every record win instead of the latest."),
    Bug("late_rows_left_unread", "staging", "macros/mrr_changed_keys.sql",
        "{%- if read_state['out_of_order_rows'] != 0 %}",
        "{%- if false %}",
        "The key comparison looks redundant beside the filter on updated_at; without it a "
        "row delivered after a newer version of its table (a connector's re-sync) is never "
        "read by an incremental night."),
    Bug("soft_delete_cascade_dropped", "staging", "models/staging/billing/base/base_billing__subscription_items.sql",
        lines("            when",
              "                subscriptions.exclusion_reason in ('soft deleted', 'parent soft deleted')",
              "                or plans.exclusion_reason in ('soft deleted', 'parent soft deleted')",
              "                then 'parent soft deleted'",
              "            else {{ mrr_inherited_exclusion('subscriptions.exclusion_reason') }}"),
        lines("            when plans.exclusion_reason in ('soft deleted', 'parent soft deleted') "
              "then 'parent soft deleted'",
              "            when subscriptions.exclusion_reason = 'test customer' then 'test customer'"),
        "The cascade is written for the plan and the test flag only; items of a soft-deleted "
        "subscription stay 'kept' (the MRR join hides it, the row accounting does not)."),
    Bug("test_customers_kept", "staging", "models/staging/billing/base/base_billing__customers.sql",
        lines("            when is_deleted then 'soft deleted'",
              "            when is_test then 'test customer'"),
        "            when is_deleted then 'soft deleted'",
        "Only soft deletes are treated as exclusions; internal/test accounts flow into every metric."),
    Bug("charge_type_case_kept", "staging", "models/staging/billing/base/base_billing__plans.sql",
        "lower(trim(charge_type)) as charge_type",
        "trim(charge_type) as charge_type",
        "Codes arrive in any case; trimming without lower() rejects 'Recurring' plans as an "
        "unknown charge_type."),
    Bug("null_quantity_not_one", "staging", "models/staging/billing/base/base_billing__subscription_items.sql",
        "coalesce({{ mrr_try_cast('quantity', 'integer') }}, 1) as quantity",
        "{{ mrr_try_cast('quantity', 'integer') }} as quantity",
        "The spec's 'null means 1' is easy to miss; a null quantity then values the item at 0."),
    Bug("fx_rate_at_valid_to", "intermediate", "models/intermediate/int_subscription_items_converted.sql",
        "cast(items.valid_from as date) as rate_lookup_date",
        "cast(coalesce(items.valid_to, items.valid_from) as date) as rate_lookup_date",
        "Converting at the end of the item's validity (the 'current' rate) instead of locking "
        "the rate at valid_from."),
    Bug("fx_rate_strictly_before", "staging", "macros/mrr_fx_rates_for.sql",
        "rate_date <= ",
        "rate_date < ",
        "'The latest rate before the date' instead of 'on or before': a rate published on the "
        "very day is skipped (and with it the only rate an item or invoice could use)."),
    Bug("fx_conflicting_rates_accepted", "staging", "models/staging/billing/base/base_billing__fx_rates.sql",
        "            when distinct_rates > 1 then 'conflicting rates'\n",
        "",
        "Deduplicating fx rows with min(rate) and moving on: two different rates for one day "
        "are silently resolved instead of rejected."),
    Bug("stripe_cut_relocks_rate", "staging", "models/staging/stripe/stg_stripe__subscription_items.sql",
        lines("    where",
              "        paid_rank > 1",
              "        and (",
              "            coalesce(discount_percent, 0) <> coalesce(previous_percent, 0)",
              "            or coalesce(discount_amount, 0) <> coalesce(previous_amount, 0)",
              "        )"),
        "    where paid_rank > 1",
        "Cutting a Stripe item at every coupon start or end looks harmless (the discount is "
        "the same on both sides), but each cut locks a new exchange rate: a customer coupon "
        "under a subscription's own shows an FX swing as expansion or contraction."),
    # ------------------------------------------------ staging: events and GA4
    Bug("event_copies_split_by_occurred_at", "staging", "models/staging/events/base_events__subscription_events.sql",
        "            partition by copied_keys.event_key\n",
        "            partition by copied_keys.event_key, source_copies.occurred_at\n",
        "One event taken as one id at one time: a retry that a tracker re-sends with its own "
        "timestamp keeps the event_id but becomes a second event."),
    Bug("idless_copies_kept", "staging", "models/staging/events/base_events__subscription_events.sql",
        "    where copy_rank = 1\n",
        "    where copy_rank = 1 or event_id is null\n",
        "Only events with an id look deduplicable; rows without one are taken to be distinct "
        "events, so identical id-less rows all count."),
    Bug("events_ordered_by_occurred_at", "staging", "models/staging/events/base_events__event_timeline.sql",
        "partition by subscription_id order by effective_at, occurred_at, record_id",
        "partition by subscription_id order by occurred_at, effective_at, record_id",
        "Events read in the order they were recorded: an upgrade recorded late (back-dated with "
        "effective_at) lands after the renewals it precedes."),
    Bug("grace_days_ignored", "staging", "models/staging/events/base_events__subscription_runs.sql",
        "> cast({{ dbt.dateadd('day', mrr_event_grace_days(), 'cast(paid_until as date)') }} as date)",
        "> cast(paid_until as date)",
        "A subscription not renewed by the end of its paid period lapses at once: a renewal "
        "charged a few days late (a retried card) churns and reactivates the customer."),
    Bug("scheduled_cancel_at_request", "staging", "models/staging/events/base_events__subscription_runs.sql",
        "max(case when is_cancel then effective_at end) as cancelled_at",
        "max(case when is_cancel then occurred_at end) as cancelled_at",
        "The cancellation's own timestamp taken as its end: a cancellation scheduled for the "
        "end of the paid period churns the customer the day it is requested."),
    Bug("same_value_renewal_new_version", "staging", "models/staging/events/base_events__item_versions.sql",
        lines("        run_value_seq = 1",
              "        or monthly_recurring_value != previous_value"),
        lines("        run_value_seq = 1",
              "        or event_name = 'subscription_renewed'",
              "        or monthly_recurring_value != previous_value"),
        "Each renewal is a new billing period, so it looks like a new item; each new item locks "
        "the day's exchange rate, and a rate swing shows as expansion or contraction."),
    Bug("trial_converts_on_update", "staging", "models/staging/events/base_events__subscription_runs.sql",
        "min(case when is_opening and not is_trial and not starts_run then event_seq end) as conversion_seq",
        "min(case when not is_cancel and not is_trial and not starts_run then event_seq end) as conversion_seq",
        "Any later event without the trial flag taken as the conversion: a plan change during "
        "the trial starts paid MRR before anything was paid."),
    Bug("reactivation_not_reopening", "staging", "models/staging/events/base_events__event_timeline.sql",
        "is_opening and (previous_opening_seq is null or coalesce(previous_cancel_seq, 0) > previous_opening_seq),",
        "is_opening and previous_opening_seq is null,",
        "A subscription opens once, at its first start: a start after a cancellation is read "
        "as a renewal of the ended run, and a returning customer never counts again."),
    Bug("quarter_as_one_month", "staging", "macros/events_add_billing_period.sql",
        "when 'quarter' then {{ dbt.dateadd('month', '3 * ' ~ count_column, from_column) }}",
        "when 'quarter' then {{ dbt.dateadd('month', count_column, from_column) }}",
        "The month line copied for the quarter without its factor: a quarterly plan between "
        "renewals lapses after one month."),
    Bug("ga4_int_value_ignored", "staging", "macros/ga4_param_text.sql",
        "                cast(ga4_param.value.int_value as varchar),\n",
        "",
        "Reading numbers from double_value (where 49.5 lands) and text from string_value; GA4 "
        "puts a value sent as 49 in int_value, and those events lose their value."),
    Bug("ga4_intraday_read_beside_daily", "staging", "macros/ga4_day_tables.sql",
        lines("    {%- for day in (daily.keys() | list + intraday.keys() | list) | unique | sort -%}",
              "        {%- set name = daily[day] if day in daily else intraday[day] -%}"),
        "    {%- for name in (daily.values() | list + intraday.values() | list) | sort -%}",
        "Every table the wildcard events_* matches, as a GA4 query usually reads them: a day "
        "still in its intraday table beside the daily one is read twice."),
    Bug("event_currency_case_kept", "staging", "models/staging/events/base_events__subscription_events.sql",
        "nullif(upper(trim(cast(currency as {{ dbt.type_string() }}))), '') as currency",
        "nullif(trim(cast(currency as {{ dbt.type_string() }})), '') as currency",
        "Currency codes trimmed but kept as sent: an SDK that sends 'eur' finds no rate, and "
        "its events are rejected."),
    # ------------------------------------------------------------- intermediate
    Bug("week_factor_48", "intermediate", "models/intermediate/int_subscription_items_valued.sql",
        "            when 'week' then 52",
        "            when 'week' then 48",
        "'Four weeks a month' (4 x 12 = 48) instead of 52 weeks / 12."),
    Bug("day_factor_360", "intermediate", "models/intermediate/int_subscription_items_valued.sql",
        "            when 'day' then 365",
        "            when 'day' then 360",
        "The banking 30/360 day count instead of the spec's 365 / 12."),
    Bug("interval_count_ignored", "intermediate", "models/intermediate/int_subscription_items_valued.sql",
        "'factor_denominator * billing_interval_count'",
        "'factor_denominator'",
        "Most plans have billing_interval_count 1, so forgetting it goes unnoticed until a "
        "semi-annual or biennial plan shows up."),
    Bug("amount_discount_before_percent", "intermediate", "models/intermediate/int_subscription_items_valued.sql",
        "{{ mrr_percent_of('unit_price * quantity', '100 - discount_percent') }} - discount_amount,",
        "{{ mrr_percent_of('unit_price * quantity - discount_amount', '100 - discount_percent') }},",
        "Both orders look plausible; the spec takes the percent first, then the fixed amount."),
    Bug("floor_at_zero_dropped", "intermediate", "models/intermediate/int_subscription_items_valued.sql",
        lines("            greatest(",
              "                {{ mrr_percent_of('unit_price * quantity', '100 - discount_percent') }}"
              " - discount_amount,",
              "                0",
              "            ) as {{ mrr_amount_type() }}"),
        "            {{ mrr_percent_of('unit_price * quantity', '100 - discount_percent') }} - discount_amount"
        " as {{ mrr_amount_type() }}",
        "A fixed discount larger than the price looks impossible, so the max(..., 0) gets "
        "dropped and the item has negative MRR."),
    Bug("floor_before_amount_discount", "intermediate", "models/intermediate/int_subscription_items_valued.sql",
        lines("            greatest(",
              "                {{ mrr_percent_of('unit_price * quantity', '100 - discount_percent') }}"
              " - discount_amount,",
              "                0",
              "            ) as {{ mrr_amount_type() }}"),
        "            greatest({{ mrr_percent_of('unit_price * quantity', '100 - discount_percent') }}, 0)"
        " - discount_amount as {{ mrr_amount_type() }}",
        "A misplaced parenthesis: the floor wraps the percent step only, so the fixed amount can "
        "still push the value below zero."),
    Bug("discount_as_plain_product", "intermediate", "models/intermediate/int_subscription_items_valued.sql",
        "{{ mrr_percent_of('unit_price * quantity', '100 - discount_percent') }} - discount_amount,",
        "unit_price * quantity * (100 - discount_percent) * 0.01 - discount_amount,",
        "The textbook formula as written: exact on every usual amount, but on DuckDB the product "
        "of 12-decimal values overflows from 10^12 and stops the build."),
    Bug("unit_price_override_ignored", "intermediate", "models/intermediate/int_subscription_items_valued.sql",
        "coalesce(items.unit_price, plans.price) as unit_price",
        "coalesce(plans.price, items.unit_price) as unit_price",
        "coalesce arguments swapped: the list price wins over a negotiated or grandfathered price."),
    Bug("trial_ignored", "intermediate", "models/intermediate/int_subscription_items_active.sql",
        "else 'coalesce(subscriptions.trial_end_at, items.valid_from)'",
        "else 'items.valid_from'",
        "trial_end_at left out of greatest(): trials count as paid MRR from the start."),
    Bug("cancel_at_ignored", "intermediate", "models/intermediate/int_subscription_items_active.sql",
        lines("        least(",
              "            coalesce(items.valid_to, subscriptions.ended_at, subscriptions.cancel_at),",
              "            coalesce(subscriptions.ended_at, items.valid_to, subscriptions.cancel_at),",
              "            coalesce(subscriptions.cancel_at, items.valid_to, subscriptions.ended_at)",
              "        ) as effective_end_at"),
        lines("        least(",
              "            coalesce(items.valid_to, subscriptions.ended_at),",
              "            coalesce(subscriptions.ended_at, items.valid_to)",
              "        ) as effective_end_at"),
        "Only ended_at is taken as the end; a scheduled cancel_at keeps counting until ended_at "
        "is filled in."),
    Bug("start_boundary_exclusive", "intermediate", "macros/mrr_series_periods_ctes.sql",
        "cast({{ dbt.date_trunc('month', 'items.effective_start_date') }} as date) as first_counted_month",
        "cast({{ dbt.date_trunc('month', dbt.dateadd('day', 1, 'items.effective_start_date')) }} as date)"
        " as first_counted_month",
        "Off by one on the snapshot day: an item that starts on the snapshot day is not counted."),
    Bug("end_boundary_inclusive", "intermediate", "macros/mrr_series_periods_ctes.sql",
        "{{ dbt.dateadd('day', -1, 'least(coalesce(items.effective_end_date, '",
        "{{ dbt.dateadd('day', 0, 'least(coalesce(items.effective_end_date, '",
        "valid_to treated as inclusive: an item ending on the snapshot day still counts."),
    Bug("rebuild_scope_one_way", "intermediate", "models/intermediate/int_series_rebuild_scope.sql",
        "        having sum(side) <> 0",
        "        having sum(side) > 0",
        "Only what is new or changed is looked for: a customer whose items all left (flagged as a "
        "test account, deleted) is not recomputed, and its old MRR rows stay in the series."),
    Bug("as_of_snapshot_month_end", "intermediate", "models/intermediate/int_months.sql",
        "when months.month = months.as_of_month then months.as_of_date",
        "when months.month = months.as_of_month then cast({{ dbt.last_day('months.month', 'month') }} as date)",
        "Every snapshot at month end, including the as_of month: MRR 'as of' a future day."),
    Bug("mrr_rounded_to_cents", "intermediate", "macros/mrr_series_periods_ctes.sql",
        "when amount >= 0.0000005 then {{ mrr_round_money('amount') }}",
        "when amount >= 0.0000005 then cast(round(amount, 2) as {{ mrr_money_type() }})",
        "Money rounded to cents out of habit; the spec rounds to 6 decimals."),
    Bug("draft_invoices_counted", "intermediate", "models/intermediate/int_invoice_lines_converted.sql",
        "status in ('open', 'paid', 'uncollectible')",
        "status != 'void'",
        "Excluding only voids: drafts, not yet issued to anyone, are counted as revenue."),
    Bug("line_discount_ignored", "intermediate", "models/intermediate/int_invoice_lines_converted.sql",
        "'lines.amount - coalesce(lines.discount_amount, 0)', 'included_invoices.fx_rate_to_reporting'",
        "'lines.amount', 'included_invoices.fx_rate_to_reporting'",
        "The converted amount uses the gross line amount: discounted lines are overstated, "
        "and the line still looks plausible."),
    Bug("issued_at_compared_as_timestamp", "intermediate", "models/intermediate/int_invoice_lines_converted.sql",
        "and cast(issued_at as date) <= {{ mrr_as_of_date() }}",
        "and issued_at <= {{ mrr_as_of_date() }}",
        "Comparing a timestamp with a date: invoices issued during the as_of day itself are lost."),
    # -------------------------------------------------------------------- marts
    Bug("reactivation_as_new", "marts", "models/marts/finance/fct_mrr.sql",
        "when previous_mrr = 0 and month = first_paying_month then 'new'",
        "when previous_mrr = 0 then 'new'",
        "'No MRR last month' taken to mean new; a returning customer is counted as new."),
    Bug("churn_month_dropped", "intermediate", "macros/mrr_series_periods_ctes.sql",
        "        amount >= 0.0000005\n"
        "        or previous_amount >= 0.0000005\n",
        "        amount >= 0.0000005\n",
        "Keeping only the periods with MRR, as before: the month after each run, the only "
        "row with MRR 0, vanishes, and every churn with it."),
    Bug("counted_in_the_month_it_ends", "intermediate", "macros/mrr_series_periods_ctes.sql",
        "            when last_counting_day = cast({{ dbt.last_day('last_counting_day', 'month') }} as date)\n",
        "            when true\n",
        "The last counted month taken as the month of the last counting day: an item that "
        "ends mid-month still counts on that month's snapshot day, after it ended."),
    Bug("closing_customers_count_churn_rows", "marts", "models/marts/finance/fct_mrr_movements.sql",
        "sum(case when mrr > 0 then 1 else 0 end) as closing_customers",
        "count(*) as closing_customers",
        "Counting fct_mrr rows per month also counts the churn rows (MRR 0)."),
    Bug("movements_window_from_first_invoice", "marts", "models/marts/finance/fct_mrr_movements.sql",
        "    where months.month >= (select min(customer_months.month) from customer_months)\n",
        "",
        "The shared month spine also starts at the first invoice; reusing it as is opens the MRR "
        "bridge with empty months."),
    Bug("quick_ratio_without_reactivation", "marts", "models/marts/finance/fct_churn.sql",
        "(new_mrr + expansion_mrr + reactivation_mrr) / nullif(",
        "(new_mrr + expansion_mrr) / nullif(",
        "The textbook quick ratio has new + expansion only; the spec adds reactivation."),
    Bug("gross_churn_without_contraction", "marts", "models/marts/finance/fct_churn.sql",
        "-(churned_mrr + contraction_mrr) / nullif(opening_mrr, 0)",
        "-churned_mrr / nullif(opening_mrr, 0)",
        "Gross MRR churn confused with lost-customer churn: downgrades are left out."),
    Bug("proration_not_recurring", "marts", "models/marts/finance/fct_revenue.sql",
        "line_type in ('subscription', 'proration')",
        "line_type = 'subscription'",
        "Prorations look like one-off adjustments; the spec counts them as recurring revenue."),
    Bug("total_revenue_from_rounded_categories", "marts", "models/marts/finance/fct_revenue.sql",
        lines("        setup_revenue,",
              "        total_revenue",
              "    from rounded"),
        lines("        setup_revenue,",
              "        cast(recurring_revenue + usage_revenue + one_time_revenue + setup_revenue"
              " as {{ mrr_money_type() }}) as total_revenue",
              "    from rounded"),
        "A total that visibly adds up looks right, but it rounds each category first and can be a "
        "millionth or two away from the exact total."),
    Bug("current_mrr_last_active_month", "marts", "models/marts/finance/dim_customers.sql",
        "sum(case when months.is_as_of_month then customer_months.mrr else 0 end) as current_mrr",
        "arg_max(customer_months.mrr, customer_months.month) as current_mrr",
        "'Current' taken as the latest month with MRR: a churned customer keeps its old MRR."),
    Bug("reconciliation_tolerance_inclusive", "marts", "models/marts/finance/fct_mrr_reconciliation.sql",
        "when invoiced_mrr - contracted_mrr > {{ mrr_reconciliation_tolerance() }} then true",
        "when invoiced_mrr - contracted_mrr >= {{ mrr_reconciliation_tolerance() }} then true",
        "Off by one at the tolerance: a difference of exactly the tolerance is flagged."),
    Bug("forecast_losses_added_to_schedule", "marts", "models/marts/forward/fct_mrr_forecast.sql",
        lines("            greatest(",
              "                round(inputs.trend_loss_rate * step_{{ k - 1 }}.forecast_mrr_{{ k - 1 }}, 6),",
              "                inputs.scheduled_losses",
              "            ) as forecast_losses_{{ k }}"),
        lines("            round(inputs.trend_loss_rate * step_{{ k - 1 }}.forecast_mrr_{{ k - 1 }}, 6)",
              "            + inputs.scheduled_losses as forecast_losses_{{ k }}"),
        "Expected churn plus the cancellations already scheduled looks prudent, but counts a "
        "scheduled cancellation twice."),
    Bug("delinquent_from_the_threshold_day", "marts", "models/marts/forward/fct_mrr_at_risk.sql",
        "coalesce(days_overdue > {{ mrr_delinquent_after_days() }}, false)",
        "coalesce(days_overdue >= {{ mrr_delinquent_after_days() }}, false)",
        "Off by one at the threshold: 14 days overdue is not yet delinquent with the default."),
    Bug("forward_reactivation_ignores_history", "intermediate",
        "models/intermediate/int_customer_mrr_forward.sql",
        "when customers.first_mrr_month is not null or customer_months.paid_in_forward_month_before",
        "when customer_months.paid_in_forward_month_before",
        "The forward book looked at on its own: a customer who paid long ago and returns next "
        "month shows as new."),
)


# Tests written because the bug named first was not caught by the suite before them.
ADDED_TESTS = (
    ("reconciliation_tolerance_inclusive", "fct_mrr_reconciliation__tolerance_is_exclusive_both_ways",
     "models/marts/finance/_finance__unit_tests.yml",
     "The existing tests checked the tolerance boundary only where invoiced MRR is below contracted "
     "MRR; this one checks exactly-the-tolerance on both sides."),
)


# ----------------------------------------------------------------- git helpers
def git(repo: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    if check and done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} in {repo} failed:\n{done.stderr.strip()}")
    return done.stdout.strip()


def dirty_tracked_files(repo: Path) -> str:
    return git(repo, "status", "--porcelain", "--untracked-files=no")


def reset_copy(repo: Path) -> None:
    """Back to the commit: the copy is scratch, so every tracked change goes."""
    git(repo, "checkout", "--", ".")
    if dirty_tracked_files(repo):
        raise SystemExit(f"could not reset the scratch copy {repo}:\n{dirty_tracked_files(repo)}")


def occurrences(repo: Path, bug: Bug) -> int:
    path = repo / bug.path
    if not path.is_file():
        return -1
    return path.read_text().count(bug.old)


def check_bug_texts(repo: Path, bugs) -> None:
    """Fail loudly unless every old text occurs exactly once (the list is in sync)."""
    problems = []
    for bug in bugs:
        count = occurrences(repo, bug)
        if count == -1:
            problems.append(f"  {bug.name}: file {bug.path} does not exist")
        elif count != 1:
            problems.append(f"  {bug.name}: old text found {count} times in {bug.path} (must be exactly once)")
    if problems:
        raise SystemExit("The bug list is out of sync with the SQL; update these bugs in "
                         f"{Path(__file__).name}:\n" + "\n".join(problems))


def apply_bug(repo: Path, bug: Bug) -> None:
    path = repo / bug.path
    text = path.read_text()
    count = text.count(bug.old)
    if count != 1:
        raise SystemExit(f"{bug.name}: old text found {count} times in {bug.path} (must be exactly once)")
    path.write_text(text.replace(bug.old, bug.new, 1))
    if not dirty_tracked_files(repo):
        raise SystemExit(f"{bug.name}: the edit changed nothing in {bug.path}")


# ------------------------------------------------------------- scratch copies
class Scratch:
    """N scratch checkouts of one commit: --repo (or a fresh worktree) plus worktrees."""

    def __init__(self, repo: Path | None, jobs: int, venv: Path, keep: bool):
        self.tmp = Path(tempfile.mkdtemp(prefix="planted-bugs-"))
        self.venv = venv
        self.keep = keep
        self.created: list[Path] = []
        self.origin = repo or PROJECT_ROOT
        if repo is not None:
            repo = repo.resolve()
            if repo == PROJECT_ROOT or repo == Path(git(PROJECT_ROOT, "rev-parse", "--show-toplevel")).resolve():
                raise SystemExit(f"--repo {repo} is the working tree this script lives in; "
                                 "give a scratch copy (or leave --repo out for a fresh worktree)")
            if git(repo, "rev-parse", "--is-inside-work-tree", check=False) != "true":
                raise SystemExit(f"--repo {repo} is not a git checkout")
            if dirty_tracked_files(repo):
                raise SystemExit(f"--repo {repo} has uncommitted changes to tracked files; the script "
                                 "resets its copies with `git checkout -- .`, so it only takes a clean copy")
            self.commit = git(repo, "rev-parse", "HEAD")
            self.copies = [repo]
            self._link_venv(repo)
        else:
            self.commit = git(PROJECT_ROOT, "rev-parse", "HEAD")
            self.copies = [self._add_worktree(0)]
        for index in range(1, jobs):
            self.copies.append(self._add_worktree(index))

    def _add_worktree(self, index: int) -> Path:
        path = self.tmp / f"wt{index}"
        git(self.origin, "worktree", "add", "--detach", str(path), self.commit)
        self.created.append(path)
        self._link_venv(path)
        return path

    def _link_venv(self, path: Path) -> None:
        link = path / ".venv"
        if not link.exists():
            link.symlink_to(self.venv)

    def pytest_basetemp(self, copy: Path) -> Path:
        return self.tmp / f"pytest-{self.copies.index(copy)}"

    def close(self) -> None:
        if self.keep:
            print(f"kept scratch copies in {self.tmp}")
            return
        for path in self.created:
            git(self.origin, "worktree", "remove", "--force", str(path), check=False)
        git(self.origin, "worktree", "prune", check=False)
        shutil.rmtree(self.tmp, ignore_errors=True)


# ---------------------------------------------------------------- test runs
@dataclasses.dataclass
class Outcome:
    bug: Bug | None
    caught: bool
    caught_by: str
    failing_checks: list[str]
    seconds: float
    log: Path
    timed_out: bool = False


DBT_SUMMARY = re.compile(
    r"^(?:\d\d:\d\d:\d\d\s+)?(Failure|(?:[A-Z][a-z]+ )?Error) in (unit_test|test|model|seed|snapshot|"
    r"sql_operation|operation|macro) ([^\s(]+)")
DBT_FAIL_LINE = re.compile(r"^(?:\d\d:\d\d:\d\d\s+)?\d+ of \d+ (FAIL \d+|ERROR)\s+(?:creating \S+ \S+ model )?(\S+)")
PYTEST_LINE = re.compile(r"^(FAILED|ERROR) (\S+)")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def failing_checks(output: str) -> list[str]:
    """Failing dbt tests / unit tests / models, then pytest ids, in the order reported."""
    found: list[str] = []
    text = ANSI.sub("", output).splitlines()
    for line in text:
        match = DBT_SUMMARY.match(line.strip())
        if match:
            kind, name = match.group(2), match.group(3)
            label = {"unit_test": "dbt unit test", "test": "dbt test"}.get(
                kind, f"dbt {kind} ({match.group(1).lower()})")
            found.append(f"{label} `{name}`")
    if not any(check.startswith("dbt") for check in found):  # no summary (crash, interrupt)
        for line in text:
            match = DBT_FAIL_LINE.match(line.strip())
            if match:
                found.append(f"dbt `{match.group(2)}`")
    for line in text:
        match = PYTEST_LINE.match(line.strip())
        if match:
            found.append(f"pytest `{match.group(2)}`")
    return list(dict.fromkeys(found))


def test_command() -> list[str]:
    return ["make", "--no-print-directory", "-o", VENV_STAMP, *MAKE_TARGETS]


def run_tests(copy: Path, basetemp: Path, log: Path, timeout: int) -> tuple[int | None, str, float]:
    env = {
        **os.environ,
        "MRR_DUCKDB_PATH": str(copy / "mrr.duckdb"),
        # as in `make test`: the tests that only read the demo start from build-test's file
        "MRR_TEST_DEMO_DB": str(copy / "target" / "test_build.duckdb"),
        "PYTEST_ADDOPTS": f"-x -p no:cacheprovider --basetemp={basetemp}",
        "DBT_USE_COLORS": "False",
        "NO_COLOR": "1",
    }
    env.pop("MAKEFLAGS", None)
    start = time.monotonic()
    try:
        done = subprocess.run(test_command(), cwd=copy, env=env, capture_output=True, text=True, timeout=timeout)
        code, output = done.returncode, done.stdout + done.stderr
    except subprocess.TimeoutExpired as expired:
        code = None
        output = (expired.stdout or b"").decode(errors="replace") if isinstance(expired.stdout, bytes) \
            else (expired.stdout or "")
        output += f"\n[planted_bugs] timed out after {timeout}s\n"
    seconds = time.monotonic() - start
    log.write_text(output)
    return code, output, seconds


def measure(copy: Path, bug: Bug | None, scratch: Scratch, log_dir: Path, timeout: int) -> Outcome:
    reset_copy(copy)
    name = bug.name if bug else "baseline"
    try:
        if bug is not None:
            apply_bug(copy, bug)
        code, output, seconds = run_tests(copy, scratch.pytest_basetemp(copy), log_dir / f"{name}.log", timeout)
    finally:
        reset_copy(copy)
    checks = failing_checks(output)
    if code is None:
        return Outcome(bug, False, "timed out", checks, seconds, log_dir / f"{name}.log", timed_out=True)
    caught = code != 0
    caught_by = checks[0] if checks else ("(failed; see log)" if caught else "")
    return Outcome(bug, caught, caught_by, checks, seconds, log_dir / f"{name}.log")


# ------------------------------------------------------------------ report
def md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def caught_by_cell(outcome: Outcome) -> str:
    if not outcome.failing_checks:
        return md(outcome.caught_by)
    first, *others = outcome.failing_checks
    if not others:
        return md(first)
    shown = ", ".join(check.split(" ")[-1] for check in others[:3])
    rest = f" +{len(others) - 3} more" if len(others) > 3 else ""
    return md(f"{first} (also {shown}{rest})")


@dataclasses.dataclass(frozen=True)
class Row:
    """One bug's line of the report: measured now, or carried over from the report."""
    name: str
    verdict: str  # yes, **NO**, **TIMEOUT** or "not measured"
    caught_by: str  # markdown, as in the report
    seconds: str
    commit: str  # short commit it was measured at; "" when never measured


def row_of(outcome: Outcome, commit: str) -> Row:
    verdict = "yes" if outcome.caught else ("**TIMEOUT**" if outcome.timed_out else "**NO**")
    return Row(outcome.bug.name, verdict, caught_by_cell(outcome), f"{outcome.seconds:.0f}", commit[:12])


TABLE_CELL = re.compile(r"(?<!\\)\|")


def earlier_rows(report: Path) -> dict[str, Row]:
    """The rows of an existing report, by bug name (for --update-report). A report
    written before the commit column existed names its one commit in the header."""
    if not report.is_file():
        return {}
    text = report.read_text()
    header_commit = re.search(r"^- Commit measured: `([0-9a-f]+)`", text, re.MULTILINE)
    rows = {}
    for line in text.splitlines():
        if not re.match(r"^\| \d+ \| `", line):
            continue
        cells = [cell.strip() for cell in TABLE_CELL.split(line)[1:-1]]
        if len(cells) == 9:
            _, name, _, _, _, verdict, caught_by, seconds, commit = cells
            commit = commit.strip("`")
        elif len(cells) == 8:
            _, name, _, _, _, verdict, caught_by, seconds = cells
            commit = header_commit.group(1) if header_commit else "?"
        else:
            continue
        rows[name.strip("`")] = Row(name.strip("`"), verdict, caught_by, seconds, commit)
    return rows


def render_report(scratch: Scratch, outcomes: list[Outcome], baseline: Outcome | None, jobs: int,
                  started: dt.datetime, total_seconds: float, argv: list[str],
                  carried: dict[str, Row] | None = None) -> str:
    """The report: one row per bug of BUGS, in their order. Without `carried` only the
    bugs measured now; with it (--update-report) every bug, the ones not measured now
    keeping their row from the earlier report."""
    subject = git(scratch.copies[0], "log", "-1", "--format=%s", scratch.commit)
    measured = {o.bug.name: row_of(o, scratch.commit) for o in outcomes}
    if carried is None:
        bugs = [o.bug for o in outcomes]
        rows = [measured[bug.name] for bug in bugs]
    else:
        bugs = list(BUGS)
        rows = [measured.get(bug.name) or carried.get(bug.name) or Row(bug.name, "not measured", "", "", "")
                for bug in bugs]
    caught = sum(row.verdict == "yes" for row in rows)
    unmeasured = sum(row.verdict == "not measured" for row in rows)
    layers = {layer: sum(1 for bug in bugs if bug.layer == layer) for layer in ("staging", "intermediate", "marts")}
    commits = sorted({row.commit for row in rows if row.commit})
    out = [
        "# Planted-bug check",
        "",
        "Written by `scripts/planted_bugs.py`; do not edit by hand. Each row is one realistic",
        "bug planted ALONE in a scratch copy of the repository (a git worktree of the commit",
        "in its row), then the tests are run and the copy is reset. Every bug must be caught.",
        "",
        "Run it again (from the repository root, no Makefile needed):",
        "",
        "    .venv/bin/python scripts/planted_bugs.py            # add --jobs 2 to run two bugs at a time",
        "    .venv/bin/python scripts/planted_bugs.py --only NAME # one bug, report not rewritten",
        "    .venv/bin/python scripts/planted_bugs.py --only NAME --update-report  # its row rewritten, others kept",
        "",
        f"- Last run: commit `{scratch.commit[:12]}` ({md(subject)}), "
        f"{started.strftime('%Y-%m-%d %H:%M')} UTC",
        f"- Command per bug: `{' '.join(test_command())}` with "
        "`PYTEST_ADDOPTS=\"-x -p no:cacheprovider --basetemp=<tmp>\"` and `MRR_DUCKDB_PATH=<copy>/mrr.duckdb`,",
        "  i.e. `make test` without lint (lint cannot catch a logic bug) and with pytest stopping at",
        "  its first failure. When the dbt build fails, make stops there and pytest does not run,",
        "  so \"caught by\" names the first failing dbt check (and up to three more from that build).",
        f"- Invocation: `{md(' '.join(argv))}` ({jobs} bug(s) at a time, {len(outcomes)} bug(s) run, "
        f"{total_seconds / 60:.1f} min)",
        f"- Result: **{caught} of {len(rows)} caught** "
        f"({layers['staging']} staging, {layers['intermediate']} intermediate, {layers['marts']} marts bugs)"
        + (f"; {unmeasured} not measured yet" if unmeasured else ""),
    ]
    if len(commits) > 1:
        out.append(f"- Rows measured at {len(commits)} commits (column `commit`); a full run measures all at one")
    if baseline is not None:
        out.append(f"- Baseline (no bug planted): {'passes' if not baseline.caught else 'FAILS'} "
                   f"in {baseline.seconds:.0f} s")
    out += [
        "",
        "| # | bug | layer | file | why it is realistic | caught? | caught by | seconds | commit |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for index, (bug, row) in enumerate(zip(bugs, rows), 1):
        commit = f"`{row.commit}`" if row.commit else ""
        out.append(f"| {index} | `{bug.name}` | {bug.layer} | `{bug.path}` | {md(bug.why)} | {row.verdict} | "
                   f"{row.caught_by} | {row.seconds} | {commit} |")
    missed = [(bug, row) for bug, row in zip(bugs, rows) if row.verdict != "yes"]
    if missed:
        out += ["", "## Not caught (or not measured)", ""]
        out += [f"- `{bug.name}` ({bug.path}): {row.verdict}. {md(bug.why)}" for bug, row in missed]
    out += ["", "## Tests added because a planted bug got through", ""]
    out += [f"- `{test}` ({where}): catches `{bug}`. {md(note)}" for bug, test, where, note in ADDED_TESTS]
    out += [
        "",
        "## Left out on purpose",
        "",
        "- *Usage plans counted*: `int_subscription_items_valued` values usage items at 0 and",
        "  `int_subscription_items_active` keeps only recurring items, so removing either guard",
        "  alone changes no number (an equivalent mutant); both guards stay.",
        "",
    ]
    return "\n".join(out)


# -------------------------------------------------------------------- main
def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", type=Path,
                        help="a clean scratch checkout to plant bugs in (default: a fresh worktree of HEAD "
                             "in a temp dir); never the working tree this script lives in")
    parser.add_argument("--only", action="append", metavar="NAME", help="run only this bug (repeatable)")
    parser.add_argument("--jobs", type=int, default=1, help="bugs run at a time, 1 or 2 (default 1)")
    parser.add_argument("--report", type=Path,
                        help=f"where to write the report (default {DEFAULT_REPORT.relative_to(PROJECT_ROOT)} "
                             "for a full run; --only runs write none unless this or --update-report is given)")
    parser.add_argument("--update-report", action="store_true",
                        help="rewrite the rows of the bugs run in the existing report (--report or the default) "
                             "and keep every other bug's row as it was measured; bugs never measured show as such")
    parser.add_argument("--venv", type=Path, default=PROJECT_ROOT / ".venv",
                        help="virtualenv to symlink into the scratch copies (default: this repo's .venv)")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help="seconds per bug (default 900)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the run without any bug")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copies and logs")
    parser.add_argument("--list", action="store_true", help="list the bugs and exit")
    parser.add_argument("--check", action="store_true", help="only check that every old text occurs once")
    parser.add_argument("--check-report", action="store_true",
                        help="only check that the report (--report or the default) has every bug as caught")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    names = [bug.name for bug in BUGS]
    if len(set(names)) != len(names):
        raise SystemExit("bug names must be unique")
    if args.list:
        for bug in BUGS:
            print(f"{bug.name:40} {bug.layer:13} {bug.path}")
        return 0
    bugs = list(BUGS)
    if args.only:
        unknown = sorted(set(args.only) - set(names))
        if unknown:
            raise SystemExit(f"unknown bug(s): {', '.join(unknown)}; see --list")
        bugs = [bug for bug in BUGS if bug.name in args.only]
    if not 1 <= args.jobs <= 2:
        raise SystemExit("--jobs must be 1 or 2 (the machine has two cores; each run uses both)")
    if args.check:
        check_bug_texts(args.repo or PROJECT_ROOT, bugs)
        print(f"all {len(bugs)} bug texts occur exactly once")
        return 0
    if args.check_report:
        report_path = args.report or DEFAULT_REPORT
        rows = earlier_rows(report_path)
        missing = [bug.name for bug in bugs if bug.name not in rows or rows[bug.name].verdict != "yes"]
        if missing:
            print(f"{report_path} does not show these bugs as caught (run them with "
                  f"--only NAME --update-report): {', '.join(missing)}")
            return 1
        print(f"{report_path.name} shows all {len(bugs)} bugs caught")
        return 0
    venv = args.venv.resolve()
    if not (venv / "bin" / "dbt").exists():
        raise SystemExit(f"no dbt in {venv}; run `make run` or `make test` once to create the venv")

    started = dt.datetime.now(dt.UTC)
    clock = time.monotonic()
    scratch = Scratch(args.repo, args.jobs, venv, args.keep)
    # Logs live apart from the scratch copies: the copies always go, logs of a miss stay.
    log_dir = Path(tempfile.mkdtemp(prefix="planted-bugs-logs-"))
    keep_logs = args.keep
    try:
        check_bug_texts(scratch.copies[0], bugs)
        print(f"commit {scratch.commit[:12]}, {len(bugs)} bug(s), {args.jobs} at a time, "
              f"copies: {', '.join(map(str, scratch.copies))}", flush=True)
        baseline = None
        if not args.no_baseline:
            baseline = measure(scratch.copies[0], None, scratch, log_dir, args.timeout)
            print(f"baseline: {'passes' if not baseline.caught else 'FAILS'} ({baseline.seconds:.0f} s)", flush=True)
            if baseline.caught:
                print(f"the suite fails without any bug ({baseline.caught_by}); log: {baseline.log}")
                keep_logs = True
                return 2

        free: queue.Queue = queue.Queue()
        for copy in scratch.copies:
            free.put(copy)
        lock = threading.Lock()
        report_path = args.report or (None if args.only and not args.update_report else DEFAULT_REPORT)
        finished: list[Outcome] = []

        def write_report(outcomes: list[Outcome]) -> None:
            carried = earlier_rows(report_path) if args.update_report else None
            report_path.parent.mkdir(parents=True, exist_ok=True)
            report_path.write_text(render_report(scratch, outcomes, baseline, args.jobs, started,
                                                 time.monotonic() - clock, ["scripts/planted_bugs.py", *argv],
                                                 carried))

        def one(bug: Bug) -> Outcome:
            copy = free.get()
            try:
                outcome = measure(copy, bug, scratch, log_dir, args.timeout)
            finally:
                free.put(copy)
            with lock:
                verdict = "caught" if outcome.caught else ("TIMEOUT" if outcome.timed_out else "NOT CAUGHT")
                print(f"{bug.name:40} {verdict:10} {outcome.seconds:6.0f} s  {outcome.caught_by}", flush=True)
                finished.append(outcome)
                # Updating rows in place: each bug's row is written as soon as it is measured,
                # so a run stopped halfway keeps what it measured.
                if args.update_report and report_path is not None:
                    write_report(finished)
            return outcome

        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            outcomes = list(pool.map(one, bugs))
        total = time.monotonic() - clock

        if report_path is not None:
            write_report(outcomes)
            print(f"report: {report_path}")
        missed = [o for o in outcomes if not o.caught]
        print(f"{len(outcomes) - len(missed)} of {len(outcomes)} caught in {total / 60:.1f} min")
        if missed:
            keep_logs = True  # the logs of the misses are worth a look
            for outcome in missed:
                print(f"  NOT CAUGHT: {outcome.bug.name}; log: {outcome.log}")
        return 0 if not missed else 1
    finally:
        scratch.close()
        if keep_logs:
            print(f"logs kept in {log_dir}")
        else:
            shutil.rmtree(log_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
