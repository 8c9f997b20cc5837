"""Shared fixtures for the Python tests of the dbt project."""
from __future__ import annotations

import pytest

# The tests import the reference and the harness as top-level modules: pytest's
# default import mode puts this folder (no __init__.py) first on the import path.
from dbt_harness import build_marts


@pytest.fixture
def dbt_build(tmp_path):
    """``dbt_build(tables, variables)`` -> marts, in a DuckDB file of this test's own."""
    def run(tables, variables, name="build"):
        return build_marts(tmp_path / name, tables, variables)
    return run


@pytest.fixture(scope="session")
def session_dbt_build(tmp_path_factory):
    """The same for session-scoped datasets (one build shared by many assertions)."""
    def run(tables, variables, name="build"):
        return build_marts(tmp_path_factory.mktemp(name), tables, variables)
    return run
