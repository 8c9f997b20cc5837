#!/usr/bin/env python3
"""Generate the demo billing export (spec section 1) as dbt CSV seeds.

The generator itself is the package scripts/demo_data/ (its docstring says how the
data is made and why it is deterministic); this file is its command line.

Usage: python scripts/generate_demo_data.py [--out DIR]   (default seeds/billing)
"""
from demo_data.constants import COLUMNS  # noqa: F401  (the raw schema as the generator writes it)
from demo_data.output import generate, main  # noqa: F401

if __name__ == "__main__":
    main()
