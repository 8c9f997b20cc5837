"""No personal data where BI reads: every model a dashboard can read (the marts
outside models/marts/restricted/, and whatever an exposure or semantic model
depends on) has an enforced contract, so its declared columns are its real
columns, and none of them looks personal. Names and e-mail addresses live only in
the restricted model restricted_customer_contacts, which is built apart from the
marts (a schema of its own, on DuckDB a database file of its own), and the grants
follow the same line: the reader role on what BI reads, the restricted role on
the restricted models only (docs/access.md)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from dbt.cli.main import dbtRunner

PROJECT_DIR = Path(__file__).resolve().parents[2]
RESTRICTED_DIR = "marts/restricted/"
ROLES = {"mrr_reader_role": "bi_reader", "mrr_restricted_role": "pii_reader"}
# Column names that hold or identify a person. A name of a thing (plan, product)
# is not personal; a bare "name" or a person's name is.
PERSONAL = re.compile(
    r"(^|_)(e_?mail|phone|mobile|fax|address|street|city|postal|postcode|zip|birth|dob|ssn|"
    r"passport|tax_?id|vat_?id|iban|card|ip_address|first_name|last_name|full_name|"
    r"customer_name|contact|person)(_|$)|^name$")
NOT_PERSONAL = {"plan_name", "product_name"}


@pytest.fixture(scope="module")
def manifest(tmp_path_factory):
    work = tmp_path_factory.mktemp("pii")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MRR_DUCKDB_PATH", str(work / "pii.duckdb"))
        patch.setenv("MRR_TARGET", "duckdb")
        result = dbtRunner().invoke([
            "parse", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
            "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
            "--no-partial-parse", "--quiet", "--vars", json.dumps(ROLES)])
    assert result.success, result.exception
    return result.result


def _bi_models(manifest):
    nodes = {uid: node for uid, node in manifest.nodes.items() if node.resource_type == "model"}
    facing = {uid for uid, node in nodes.items()
              if node.original_file_path.startswith("models/marts/")
              and RESTRICTED_DIR not in node.original_file_path}
    readers = list(manifest.exposures.values()) + list(getattr(manifest, "semantic_models", {}).values())
    for reader in readers:
        facing.update(uid for uid in reader.depends_on.nodes if uid in nodes)
    return {uid: nodes[uid] for uid in facing}


def looks_personal(column: str) -> bool:
    return column.lower() not in NOT_PERSONAL and bool(PERSONAL.search(column.lower()))


def test_the_pattern_catches_personal_columns():
    for column in ("email", "customer_email", "customer_name", "name", "phone_number", "billing_address",
                   "first_name", "contact_email", "ip_address"):
        assert looks_personal(column), column
    for column in ("customer_id", "plan_name", "product_name", "segment", "country_code", "mrr",
                   "movement_type", "first_mrr_month", "is_active"):
        assert not looks_personal(column), column


def test_bi_facing_models_hold_no_personal_columns(manifest):
    bi_models = _bi_models(manifest)
    assert "model.mrr.dim_customers" in bi_models and "model.mrr.fct_mrr" in bi_models
    problems = []
    for _uid, node in sorted(bi_models.items()):
        if RESTRICTED_DIR in node.original_file_path:
            problems.append(f"{node.name}: a restricted model is read by a dashboard or semantic model")
        if not node.contract.enforced:
            problems.append(f"{node.name}: BI-facing without an enforced contract (its columns are not pinned)")
        problems += [f"{node.name}.{column}: looks like personal data" for column in node.columns
                     if looks_personal(column)]
    assert not problems, "\n".join(problems)


def test_personal_data_is_in_the_restricted_model_only(manifest):
    node = manifest.nodes["model.mrr.restricted_customer_contacts"]
    assert RESTRICTED_DIR in node.original_file_path and "restricted" in node.tags
    assert {"customer_name", "email"} <= set(node.columns)


def _restricted_models(manifest):
    return {uid: node for uid, node in manifest.nodes.items() if node.resource_type == "model"
            and (RESTRICTED_DIR in node.original_file_path or "restricted" in node.tags
                 or node.meta.get("contains_pii") or node.config.meta.get("contains_pii"))}


def test_restricted_models_are_built_apart_from_the_marts(manifest):
    """Not in a schema BI reads, and (this parse is DuckDB's) not in its database:
    a file of its own that the published file does not contain."""
    bi_models = _bi_models(manifest)
    schemas = {node.schema for node in bi_models.values()}
    databases = {node.database for node in bi_models.values()}
    restricted = _restricted_models(manifest)
    assert "model.mrr.restricted_customer_contacts" in restricted
    problems = []
    for node in restricted.values():
        if node.schema in schemas:
            problems.append(f"{node.name}: built into schema {node.schema}, beside the marts BI reads")
        if node.database in databases:
            problems.append(f"{node.name}: built into database {node.database}, beside the marts BI reads")
    assert not problems, "\n".join(problems)


def test_grants_follow_who_reads_what(manifest):
    reader, restricted_role = ROLES["mrr_reader_role"], ROLES["mrr_restricted_role"]
    bi_models = _bi_models(manifest)
    bi_models["model.mrr.metricflow_time_spine"] = manifest.nodes["model.mrr.metricflow_time_spine"]
    restricted = _restricted_models(manifest)
    problems = []
    for uid, node in sorted(manifest.nodes.items()):
        if node.resource_type != "model":
            continue
        grantees = {role for roles in node.config.grants.values() for role in roles}
        expected = {reader} if uid in bi_models else {restricted_role} if uid in restricted else set()
        if grantees != expected:
            problems.append(f"{node.name}: grants {sorted(grantees)}, expected {sorted(expected)}")
    assert not problems, "\n".join(problems)
