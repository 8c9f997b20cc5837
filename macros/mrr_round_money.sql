{#-
    An amount of the pipeline (decimal(38, 12)) rounded half away from zero to the
    6 decimals of the money type: the spec's MRR rounding, once per customer-month.

    Why a macro: on DuckDB, rounding a decimal(38, 12) divides a 128-bit integer,
    which DuckDB does bit by bit; an amount below a million fits decimal(18, 12),
    64 bits, where the same rounding is one machine division. Other warehouses
    round as they are.
-#}
{% macro mrr_round_money(amount) -%}
    {{ return(adapter.dispatch('mrr_round_money', 'mrr')(amount)) }}
{%- endmacro %}

{% macro default__mrr_round_money(amount) -%}
    cast(round({{ amount }}, 6) as {{ mrr_money_type() }})
{%- endmacro %}

{% macro duckdb__mrr_round_money(amount) -%}
    case
        when abs({{ amount }}) < 1000000
            then cast(round(cast({{ amount }} as decimal(18, 12)), 6) as {{ mrr_money_type() }})
        else cast(round({{ amount }}, 6) as {{ mrr_money_type() }})
    end
{%- endmacro %}
