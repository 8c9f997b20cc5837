"""Measuring for the benchmarks (benchmarks/run_benchmark.py, spark_benchmark.py):
one command's wall time, CPU time and peak memory, and the machine it ran on."""
from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import tempfile
import time
from importlib import metadata
from pathlib import Path

from mrr_tools.raw_tables import ROOT

# The scale data's last day and schema, shared by every benchmark.
AS_OF = "2026-10-31"
SCHEMA = "raw_scale"


def measure(cmd: list[str], env: dict, log_path: Path) -> dict:
    """Run cmd; wall seconds, peak RSS (MB) and exit code, output kept in log_path.

    GNU time reports the child's peak RSS as the kernel accounts it (the largest
    of the process and its waited-for children); without it, os.wait4 reads the
    same accounting for the one child we started.
    """
    gnu_time = shutil.which("time", path="/usr/bin:/bin")
    with open(log_path, "w") as log, tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        if gnu_time:
            full = [gnu_time, "-v", "-o", tf.name, *cmd]
        else:
            full = cmd
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        proc = subprocess.Popen(full, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        peak_kb = usage.ru_maxrss  # Linux: kilobytes
        cpu = usage.ru_utime + usage.ru_stime
        if gnu_time:
            report = tf.read()
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
            peak_kb = int(m.group(1)) if m else peak_kb
            m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", report)
            if m:
                wall = sum(float(p) * 60 ** i for i, p in enumerate(reversed(m.group(1).split(":"))))
            times = [float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", report)]
            cpu = sum(times) if len(times) == 2 else cpu
            m = re.search(r"Exit status: (\d+)", report)
            code = int(m.group(1)) if m else proc.returncode
        else:
            code = proc.returncode
    # CPU seconds (user + system) next to wall time: on a shared machine other people's
    # load stretches wall time much more than the CPU time the build needs.
    return {"seconds": round(wall, 2), "cpu_seconds": round(cpu, 1),
            "peak_mb": round(peak_kb / 1024, 1), "exit_code": code, "load_before": round(load, 2),
            "timer": "GNU time -v" if gnu_time else "os.wait4"}


def machine() -> dict:
    cpu = "unknown"
    try:
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    try:
        m = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
        mem_kb = int(m.group(1)) if m else 0
    except OSError:
        pass

    def ver(pkg):
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return "-"

    def git(*a):
        try:
            return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""

    dirty = git("status", "--porcelain", "--", "models", "macros", "tests", "dbt_project.yml")
    return {"commit": git("rev-parse", "--short", "HEAD") + (" + uncommitted changes" if dirty else ""),
            "nproc": len(os.sched_getaffinity(0)), "mem_gb": round(mem_kb / 2**20, 1), "cpu": cpu,
            "os": platform.platform(), "python": platform.python_version(),
            "dbt-core": ver("dbt-core"), "dbt-duckdb": ver("dbt-duckdb"), "duckdb": ver("duckdb")}
