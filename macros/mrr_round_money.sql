{#-
    An amount rounded to the spec's 6 decimals (half away from zero), as the
    published money type: cast(round(amount, 6) as decimal(28, 6)).

    Why a macro: on DuckDB the amounts inside the pipeline are decimal(38, 12),
    stored as 128-bit integers, and rounding one divides a 128-bit integer in
    software, and the MRR models round every row of the largest tables. An
    amount below a million in size is rounded in 64 bits instead
    (macros/mrr_duckdb_is_small_amount.sql), a tenth of the cost; only larger
    amounts take the 128-bit path. Same digits either way. Other warehouses round
    their numerics natively.
-#}
{% macro mrr_round_money(amount) -%}
    {{ return(adapter.dispatch('mrr_round_money', 'mrr')(amount)) }}
{%- endmacro %}

{% macro default__mrr_round_money(amount) -%}
    cast(round({{ amount }}, 6) as {{ mrr_money_type() }})
{%- endmacro %}

{% macro duckdb__mrr_round_money(amount) -%}
    case
        when {{ mrr_duckdb_is_small_amount(amount) }}
            then cast(round(cast({{ amount }} as {{ mrr_duckdb_small_amount_type() }}), 6) as {{ mrr_money_type() }})
        else cast(round({{ amount }}, 6) as {{ mrr_money_type() }})
    end
{%- endmacro %}
