"""The planted-bug list (scripts/planted_bugs.py) must keep matching the SQL: each
bug's text has to occur exactly once, or the next planted-bug run cannot plant it.
And every bug on the list must show as caught in docs/planted-bugs-report.md: a bug
added but never run proves nothing (`planted_bugs.py --only NAME --update-report`)."""
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


def test_report_shows_every_bug_caught():
    result = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "scripts" / "planted_bugs.py"), "--check-report"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
