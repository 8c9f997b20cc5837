"""Generate the scale benchmark's raw tables (src/mrr_tools/scale_data.py) into a DuckDB file.

    .venv/bin/python benchmarks/generate_scale_data.py --help
"""
import sys

from mrr_tools.scale_data import main

if __name__ == "__main__":
    sys.exit(main())
