"""The dbt steps of a night, the same on every back end: freshness, then `dbt build`."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mrr_tools.nightly import EXIT_BUILD_FAILED, EXIT_FRESHNESS_FAILED, log


def dbt(*args: str, env: dict, work: Path, project: Path) -> int:
    command = [str(Path(sys.executable).parent / "dbt"), *args,
               "--project-dir", str(project), "--profiles-dir", str(project),
               "--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    # Partial parsing, whatever the caller's environment says (the Makefile turns it
    # off for one-off builds): the night's seed, freshness check and build share one
    # parse of the project in the job's own target path, and so does the next night
    # when the project files, vars and environment are the same. dbt parses again
    # whatever changed. A full parse is most of dbt's start-up.
    return subprocess.call(command, env={**env, "DBT_PARTIAL_PARSE": "True"}, cwd=project)


def reset_parse_if_needed(work: Path, full_parse: bool, project: Path) -> None:
    """Drop the saved parse when asked (--full-parse) or when the project moved.

    dbt re-parses what changed in the project's files, vars and environment, but a
    seed keeps the absolute path of its CSV file: after a deploy into another folder
    the saved parse would read the old checkout's seeds.
    """
    saved = work / "target" / "partial_parse.msgpack"
    marker = work / "target" / "nightly_project_dir.txt"
    moved = marker.exists() and marker.read_text() != str(project)
    if (full_parse or moved) and saved.exists():
        saved.unlink()
        log("full parse of the project " + ("(--full-parse)" if full_parse else f"(project now at {project})"))
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(str(project))


def build_and_test(options, env: dict, work: Path, unchanged: str, project: Path) -> int | None:
    """Freshness, then `dbt build`; an exit code when the night must stop here."""
    vars_args = ["--vars", options.vars] if options.vars else []

    def step(*args: str) -> int:
        return dbt(*args, env=env, work=work, project=project)

    reset_parse_if_needed(work, options.full_parse, project)
    # The raw tables must exist before their freshness can be checked: on the demo
    # data, `dbt build` seeds them, so freshness is checked after the seeds.
    if not options.skip_freshness:
        seeded = step("seed", "--quiet", *vars_args) if _uses_demo_seeds(options.vars) else 0
        freshness = step("source", "freshness", *vars_args) if seeded == 0 else seeded
        if freshness != 0:
            log(f"source freshness check failed (exit {freshness}); nothing built or published")
            return EXIT_FRESHNESS_FAILED

    # Audit: build and test; anything but green stops here.
    unit_tests = [] if options.unit_tests else ["--exclude", "resource_type:unit_test"]
    status = step("build", *vars_args, *unit_tests, *options.dbt_args)
    if status != 0:
        log(f"dbt build failed (exit {status}): a model or an error-severity test failed. "
            f"{unchanged}; fix the cause and run the night again.")
        return EXIT_BUILD_FAILED
    return None


def _uses_demo_seeds(vars_text) -> bool:
    # The demo seeds are the source unless billing_schema or billing_database is set.
    return not vars_text or ("billing_schema" not in vars_text and "billing_database" not in vars_text)
