{#-
    The one list of rejection reasons (audit_rejected_records.reason), per raw
    table in the order the base models evaluate them: a record gets the first
    reason it meets. The accepted_values test on audit_rejected_records.reason
    reads it, mrr_rejection_reason() lets a model write only a reason from it, and
    tests/python/test_rejection_reasons.py checks the table in docs/decisions.md
    against it. Keep this a plain literal: that test reads it with Python.
-#}
{% macro mrr_rejection_reasons() -%}
    {{ return({
        'customers': [
            'missing key',
            'unparseable is_test', 'unparseable created_at', 'unparseable updated_at', 'unparseable is_deleted',
        ],
        'plans': [
            'missing key',
            'unparseable billing_interval_count', 'unparseable price', 'unparseable updated_at',
            'unparseable is_deleted',
            'unknown charge_type', 'unknown billing_interval', 'billing_interval_count below 1', 'negative price',
        ],
        'subscriptions': [
            'missing key',
            'unparseable created_at', 'unparseable started_at', 'unparseable trial_end_at',
            'unparseable canceled_at', 'unparseable cancel_at', 'unparseable ended_at', 'unparseable updated_at',
            'unparseable is_deleted',
            'customer not found', 'customer rejected',
        ],
        'subscription_items': [
            'missing key',
            'unparseable quantity', 'unparseable unit_price', 'unparseable discount_percent',
            'unparseable discount_amount', 'unparseable valid_from', 'unparseable valid_to',
            'unparseable updated_at', 'unparseable is_deleted',
            'subscription not found', 'subscription rejected', 'plan not found', 'plan rejected',
            'negative unit_price', 'negative quantity', 'negative discount_amount',
            'discount_percent outside 0-100', 'missing valid_from', 'valid_to before valid_from', 'missing price',
            'no fx rate',
        ],
        'invoices': [
            'missing key',
            'unparseable issued_at', 'unparseable due_at', 'unparseable paid_at', 'unparseable updated_at',
            'unparseable is_deleted',
            'customer not found', 'customer rejected', 'unknown status', 'missing issued_at', 'no fx rate',
        ],
        'invoice_lines': [
            'missing key',
            'unparseable quantity', 'unparseable amount', 'unparseable discount_amount', 'unparseable tax_amount',
            'unparseable period_start', 'unparseable period_end', 'unparseable updated_at',
            'invoice not found', 'invoice rejected', 'unknown line_type', 'missing amount', 'negative quantity',
            'negative discount_amount',
        ],
        'fx_rates': [
            'unparseable rate_date', 'missing key', 'unparseable rate', 'conflicting rates', 'non-positive rate',
        ],
        'subscription_events': [
            'missing subscription_id',
            'unparseable occurred_at', 'unparseable effective_at', 'unparseable monthly_recurring_value',
            'unparseable billing_interval_count', 'unparseable is_trial',
            'missing occurred_at', 'missing customer_id', 'missing monthly_recurring_value',
            'negative monthly_recurring_value', 'missing currency', 'unknown billing_interval',
            'billing_interval_count below 1', 'no fx rate',
        ],
        'ga4_events': [
            'missing subscription_id',
            'unparseable occurred_at', 'unparseable effective_at', 'unparseable monthly_recurring_value',
            'unparseable billing_interval_count', 'unparseable is_trial',
            'missing occurred_at', 'missing customer_id', 'missing monthly_recurring_value',
            'negative monthly_recurring_value', 'missing currency', 'unknown billing_interval',
            'billing_interval_count below 1', 'no fx rate',
        ],
    }) }}
{%- endmacro %}
