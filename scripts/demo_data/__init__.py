"""Generate the demo billing export (spec section 1) as dbt CSV seeds.

The data imitates what a subscription-billing system's export looks like after it
has landed in a warehouse for three years (2023-11-01 .. 2026-11-24): re-delivered
row versions, identical copies, soft deletes, messy codes, test accounts, and a
few invalid rows of every kind that docs/decisions.md rejects. Everything else is
a plausible SaaS business whose MRR grows with visible churn, expansion,
contraction and reactivations.

Determinism: one `random.Random(20261124)` drives everything, the demo's "today"
is a constant (never the clock), rows are written in a sorted order and nothing
iterates over a set, so re-running reproduces the CSVs byte for byte (the pytest
suite checks this). Only `Random.random()` is used: Python guarantees its
sequence across versions, unlike randint/choice/gauss. Floating point is limited
to + - * / (no libm), which IEEE 754 makes identical on every platform.

Usage: python scripts/generate_demo_data.py [--out DIR]   (default seeds/billing)

Modules, in the order the data is made:
  constants      the demo's fixed clock, the export's columns and keys
  helpers        the seeded random source, calendar arithmetic, money, formatting
  fx             daily fx rates
  plans          the plan catalog and its prices per currency
  entities       customers, subscriptions, items, invoices, lines
  market         countries, currencies, names, segments, churn hazards
  world          the simulated business (World), with its subscription lifecycles
                 (subscriptions) and invoicing (invoicing) mixed in
  tables         the world written out as raw rows (Tables), with the dirt of a
                 real export layered on top (edge_cases)
  output         sorted CSV output and the command line
"""
