"""Apply one night of changes to a scale data set (src/mrr_tools/scale_delta.py).

    .venv/bin/python benchmarks/nightly_delta.py --help
"""
import sys

from mrr_tools.scale_delta import main

if __name__ == "__main__":
    sys.exit(main())
