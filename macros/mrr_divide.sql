{#-
    numerator / denominator as an exact decimal(38, 12), rounded half away from zero
    at the 12th decimal, for a positive whole-number denominator (a count of months,
    periods or customers).

    Why a macro: DuckDB divides decimals as DOUBLE, which leaves noise around the
    10th decimal of a seven-figure amount and can flip a value that sits exactly
    halfway at the 6-decimal MRR rounding. Here the whole part is divided as an
    integer and the remainder, with the fraction scaled to 12 digits, is divided
    as an integer again, so no digit is lost. Other warehouses divide numerics
    exactly enough on their own.
-#}
{% macro mrr_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('mrr_divide', 'mrr')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__mrr_divide(numerator, denominator) -%}
    cast(cast({{ numerator }} as {{ mrr_amount_type() }}) / ({{ denominator }}) as {{ mrr_amount_type() }})
{%- endmacro %}

{% macro duckdb__mrr_divide(numerator, denominator) -%}
    {#- Dividing by 1 is the cast alone (the exact division below gives the same
        value): a literal 1 costs nothing, and a denominator that is 1 at run time
        (monthly plans, monthly invoices: most rows) skips the integer arithmetic. -#}
    {%- if denominator | string | trim == '1' -%}
    cast({{ numerator }} as {{ mrr_amount_type() }})
    {%- else -%}
    {%- set amount = 'cast(' ~ numerator ~ ' as ' ~ mrr_amount_type() ~ ')' -%}
    {#- Below a million (and a denominator below a million) the amount in units of
        10^-12 fits a bigint (macros/mrr_duckdb_amount_units.sql), and 64-bit
        division is many times faster than DuckDB's 128-bit one (a bit-by-bit loop,
        also behind every trunc or cast of a decimal(38, 12)). -#}
    {%- set units = mrr_duckdb_amount_units(amount) -%}
    {%- set magnitude = 'abs(' ~ amount ~ ')' -%}
    {%- set whole = 'cast(trunc(' ~ magnitude ~ ') as hugeint)' -%}
    {%- set divisor = 'cast(' ~ denominator ~ ' as hugeint)' -%}
    {%- set remainder_scaled = '(' ~ whole ~ ' % ' ~ divisor ~ ') * 1000000000000 + cast((' ~ magnitude
        ~ ' - trunc(' ~ magnitude ~ ')) * 1000000000000 as hugeint)' -%}
    case
        when ({{ denominator }}) = 1 then {{ amount }}
        when {{ mrr_duckdb_is_small_amount(amount) }} and ({{ denominator }}) < 1000000 then cast(
            sign({{ numerator }}) * (
                (
                    {{ units }} // ({{ denominator }})
                    + case when 2 * ({{ units }} % ({{ denominator }})) >= ({{ denominator }}) then 1 else 0 end
                )
                * 0.000000000001
            )
            as {{ mrr_amount_type() }}
        )
        else cast(
            sign({{ numerator }}) * (
                cast({{ whole }} // {{ divisor }} as decimal(38, 0))
                + cast((2 * ({{ remainder_scaled }}) + {{ divisor }}) // (2 * {{ divisor }}) as decimal(38, 0))
                * 0.000000000001
            )
            as {{ mrr_amount_type() }}
        )
    end
    {%- endif %}
{%- endmacro %}

{#-
    Spark implementation of mrr_divide (macros/mrr_divide.sql): numerator /
    denominator as an exact decimal(38, 12), rounded half away from zero at the
    12th decimal, for a positive whole-number denominator.

    Spark's own decimal division first rounds the quotient to a scale it derives
    from the operand types (17 digits here) and the cast to 12 digits then rounds
    again; with a large enough denominator those two roundings can differ from one
    exact rounding. So the whole part is divided exactly (the remainder taken off
    first) and only the remainder's share, a number below 1, is rounded, once.
    Relies on spark.sql.decimalOperations.allowPrecisionLoss=false (profiles.yml),
    without which Spark cuts the scale of wide decimal sums to 6 digits.
-#}
{% macro spark__mrr_divide(numerator, denominator) -%}
    {%- set magnitude = 'abs(cast(' ~ numerator ~ ' as ' ~ mrr_amount_type() ~ '))' -%}
    {%- set divisor = 'cast(' ~ denominator ~ ' as decimal(18, 0))' -%}
    {%- set remainder = '(' ~ magnitude ~ ' % ' ~ divisor ~ ')' -%}
    {%- set quotient -%}
        cast(({{ magnitude }} - {{ remainder }}) / {{ divisor }} as decimal(26, 0))
        + cast({{ remainder }} / {{ divisor }} as decimal(13, 12))
    {%- endset -%}
    cast(
        case when {{ numerator }} < 0 then -({{ quotient }}) else {{ quotient }} end
        as {{ mrr_amount_type() }}
    )
{%- endmacro %}
