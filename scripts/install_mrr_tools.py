"""Make the project's package (src/mrr_tools) importable in the venv of the
Python that runs this: a .pth file in its site-packages naming src/.

    .venv/bin/python scripts/install_mrr_tools.py

What `pip install -e .` (pyproject.toml) would do, without building anything:
the venv's setuptools cannot build an editable install without the `wheel`
package, which a machine without network cannot fetch. Needs nothing but Python.
"""
import sysconfig
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

if __name__ == "__main__":
    pth = Path(sysconfig.get_path("purelib")) / "mrr_tools.pth"
    pth.write_text(f"{SRC}\n", encoding="utf-8")
    print(f"mrr_tools: {pth} -> {SRC}")
