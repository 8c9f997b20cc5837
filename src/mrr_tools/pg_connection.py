"""The PostgreSQL connection every script and test opens: the server and database
of the MRR_PG_* environment variables (the same ones profiles.yml reads)."""
from __future__ import annotations

import os


def connect(**options):
    import psycopg2
    return psycopg2.connect(
        host=os.environ.get("MRR_PG_HOST", "127.0.0.1"), port=int(os.environ.get("MRR_PG_PORT", "5432")),
        user=os.environ.get("MRR_PG_USER", "postgres"), password=os.environ.get("MRR_PG_PASSWORD", ""),
        dbname=os.environ.get("MRR_PG_DATABASE", "mrr"), **options)
