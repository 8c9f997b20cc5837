{#-
    Run-start check of the raw tables against the raw contract, the columns of
    source `billing` in models/staging/billing/_billing__sources.yml.

    Called by `on-run-start` (dbt_project.yml). For `dbt build` and `dbt run`
    that select at least one model, before any model runs, it collects every
    problem and stops the run with one message that names each table and column:
      - a raw table that does not exist (unless this same command seeds it, as a
        plain `dbt build` on a fresh database does with the demo seeds);
      - a contract column that is missing (a renamed column shows up as missing,
        with the table's columns that the contract does not know, as a hint);
      - a column whose type cannot hold the value (a boolean where a price is
        expected, a number where a timestamp is expected, ...).
    A column of DuckDB's NULL type (a loader's all-null column, as `select null
    as x` makes it) holds only nulls, which every contract type can hold: accepted.
    Text in a column that should hold numbers, dates or flags is accepted: its
    values are parsed row by row (mrr_try_cast), and a value that does not parse
    rejects its record in audit_rejected_records. A warning names those columns.
    Extra columns are ignored. `dbt seed`, `dbt test`, `dbt compile` and unit-test
    only selections skip the check (nothing is built from the raw tables).
-#}
{% macro mrr_check_raw_tables() -%}
    {%- if not execute or flags.WHICH not in ('build', 'run') -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set selected = selected_resources if selected_resources is defined else [] -%}
    {%- set selected_models = [] -%}
    {%- for unique_id in selected if unique_id.startswith('model.') -%}
        {%- do selected_models.append(unique_id) -%}
    {%- endfor -%}
    {%- if not selected_models -%}
        {{- return('') -}}
    {%- endif -%}
    {#- Validates both vars before they reach any query. -#}
    {%- do mrr_billing_location_var('billing_database') -%}
    {%- do mrr_billing_location_var('billing_schema') -%}

    {#- With another source system feeding the contract (var billing_source, e.g.
        stripe), only fx_rates is still read from the native raw tables. -#}
    {%- set native = (var('billing_source', 'billing') | string | trim | lower) == 'billing' -%}
    {%- set problems = [] -%}
    {%- set text_columns = [] -%}
    {%- for raw_table in graph.sources.values()
            if raw_table.source_name == 'billing' and raw_table.package_name == 'mrr'
            and (native or raw_table.name == 'fx_rates') -%}
        {%- if ('seed.mrr.' ~ raw_table.name) in selected -%}
            {#- This command loads the table from the demo seed first. -#}
            {%- continue -%}
        {%- endif -%}
        {%- set location = raw_table.database ~ '.' ~ raw_table.schema ~ '.' ~ raw_table.identifier -%}
        {%- set relation = adapter.get_relation(
            database=raw_table.database, schema=raw_table.schema, identifier=raw_table.identifier) -%}
        {%- if relation is none -%}
            {%- do problems.append(location ~ ': table not found') -%}
            {%- continue -%}
        {%- endif -%}
        {%- set actual = {} -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do actual.update({column.name | lower: column.dtype}) -%}
        {%- endfor -%}
        {%- set unknown = actual.keys() | reject('in', raw_table.columns.keys()) | list -%}
        {%- for name, contract_column in raw_table.columns.items() -%}
            {%- set expected = mrr_type_kind(contract_column.data_type) -%}
            {%- if name not in actual -%}
                {%- set hint = (' (columns there that the contract does not know: ' ~ (unknown | join(', ')) ~ ')') if unknown else '' -%}
                {%- do problems.append(location ~ ': column ' ~ name ~ ' is missing' ~ hint) -%}
                {%- continue -%}
            {%- endif -%}
            {%- set found = mrr_type_kind(actual[name]) -%}
            {%- set accepted = {
                'text': ['text', 'integer'] if name.endswith('_id') else ['text'],
                'integer': ['integer', 'decimal'],
                'decimal': ['integer', 'decimal'],
                'timestamp': ['timestamp', 'date'],
                'date': ['date', 'timestamp'],
                'boolean': ['boolean'],
            }[expected] -%}
            {%- if found == 'null' -%}
                {%- continue -%}
            {%- elif found == 'text' and expected != 'text' -%}
                {%- do text_columns.append(raw_table.name ~ '.' ~ name) -%}
            {%- elif found not in accepted -%}
                {%- do problems.append(location ~ ': column ' ~ name ~ ' has type ' ~ actual[name]
                    ~ ', expected ' ~ expected ~ ' (' ~ contract_column.data_type ~ ' or a type of the same kind'
                    ~ ('' if expected == 'text' else ', or text parsed row by row') ~ ')') -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}

    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            "The raw billing tables do not match the raw contract "
            ~ "(models/staging/billing/_billing__sources.yml, docs/contract.md); nothing was built:\n  - "
            ~ (problems | join('\n  - '))
            ~ "\nFix the tables, or point vars billing_database / billing_schema at the right ones.") }}
    {%- endif -%}
    {%- if text_columns -%}
        {{ exceptions.warn(
            "Raw columns held as text are parsed row by row; a value that does not parse rejects its record "
            ~ "in audit_rejected_records ('unparseable <column>'): " ~ (text_columns | join(', '))) }}
    {%- endif -%}
    {{- return('') -}}
{%- endmacro %}
