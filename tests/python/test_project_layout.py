"""Things are where the conventions say: a reader finds a macro by its file name
and a model's unit tests beside the model."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]
MACRO = re.compile(r"{%-?\s*macro\s+(\w+)\s*\(")


def _macro_files():
    return sorted((PROJECT_DIR / "macros").rglob("*.sql"))


def test_one_macro_per_file_named_after_it():
    wrong = []
    for path in _macro_files():
        for name in MACRO.findall(path.read_text(encoding="utf-8")):
            # A dispatched macro keeps its implementations (default__x, duckdb__x) in its file.
            if re.sub(r"^[a-z]+__", "", name) != path.stem:
                wrong.append(f"{path.relative_to(PROJECT_DIR)}: {name}")
    assert not wrong, wrong


def test_every_macro_is_documented():
    documented = {m["name"]: m for m in yaml.safe_load((PROJECT_DIR / "macros" / "_macros.yml").read_text())["macros"]}
    defined = {name for path in _macro_files() for name in MACRO.findall(path.read_text(encoding="utf-8"))}
    assert defined == set(documented), {"undocumented": defined - set(documented),
                                        "documented but not defined": set(documented) - defined}
    assert all(m.get("description") for m in documented.values())


def test_unit_tests_live_beside_their_model_and_are_named_after_it():
    models = {path.stem: path.parent for path in (PROJECT_DIR / "models").rglob("*.sql")}
    wrong = []
    for path in sorted((PROJECT_DIR / "models").rglob("*.yml")):
        for test in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("unit_tests", []):
            model = test["model"]
            if not test["name"].startswith(f"{model}__"):
                wrong.append(f"{test['name']}: not named <model>__<behaviour> for model {model}")
            if models.get(model) != path.parent:
                wrong.append(f"{test['name']}: in {path.relative_to(PROJECT_DIR)}, not beside {model}")
    assert not wrong, wrong


def test_unit_test_names_fit_a_postgres_identifier():
    # dbt names a unit test's temporary table after the test; PostgreSQL cuts
    # identifiers at 63 characters and dbt-postgres refuses longer relation names.
    too_long = [test["name"] for path in sorted((PROJECT_DIR / "models").rglob("*.yml"))
                for test in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("unit_tests", [])
                if len(test["name"]) > 63]
    assert not too_long, too_long
