"""Shared Python of the MRR dbt project (scripts, benchmarks and tests import it)."""
