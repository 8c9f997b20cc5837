"""The planted-bug list (scripts/planted_bugs.py) must keep matching the SQL: each
bug's text has to occur exactly once, or the next planted-bug run cannot plant it."""
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def test_every_planted_bug_still_applies():
    result = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "scripts" / "planted_bugs.py"), "--check", "--repo", str(PROJECT_DIR)],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
