"""No personal data where BI reads: every model a dashboard can read (the marts
outside models/marts/restricted/, and whatever an exposure or semantic model
depends on) has an enforced contract, so its declared columns are its real
columns, and none of them looks personal. Names and e-mail addresses live only in
the restricted model restricted_customer_contacts."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from dbt.cli.main import dbtRunner

PROJECT_DIR = Path(__file__).resolve().parents[2]
RESTRICTED_DIR = "marts/restricted/"
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
            "--no-partial-parse", "--quiet"])
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
