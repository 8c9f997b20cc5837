"""The README and the pages under docs/ name only what exists, so they cannot drift
from the project unnoticed.

- Every relative link resolves to a file, and every anchor (`#section`) to a
  heading of the page it points to.
- Every file path in backticks exists (paths the build writes, such as `target/`
  or `published/`, excepted); a pattern (`base_billing__<table>`, `*`) matches
  at least one.
- Every model, macro, data test, generic test, unit test, seed, column, metric and
  var named in backticks exists; a name right after the word "test" or "tests" is
  a test.
- Comments and docstrings that point to a section of a page
  (`docs/decisions.md, "Incremental runs"`) name a heading that exists, and a
  "spec section N" names a numbered section of docs/contract.md.
- No file points outside the repository (`../shared`).
- Every var of dbt_project.yml is in the README's vars table exactly once, every
  mart of models/marts in its table of marts once, and the README's map names
  every folder and links every page under docs/.

Names are read from the project's files, not from a dbt parse, so the check takes
well under a second. The planted-bug report is written by scripts/planted_bugs.py
and names dbt's generated test names: only its links and paths are checked. The
CHANGELOG is history: only its links are checked.
"""
from __future__ import annotations

import fnmatch
import re
import subprocess
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PAGES = sorted((ROOT / "docs").glob("*.md"))
GENERATED_REPORT = ROOT / "docs" / "planted-bugs-report.md"
CHANGELOG = ROOT / "CHANGELOG.md"

# What the build, the nightly job and the tools write; not in the repository.
GENERATED = ("target/", "published/", "logs/", "benchmarks/work/", ".venv", "dbt_packages/", "mrr.duckdb")
FILE_SUFFIXES = (".py", ".sql", ".yml", ".yaml", ".md", ".csv", ".json", ".sh", ".txt", ".toml", ".png",
                 ".sqlfluff", ".duckdb", ".html")
# Backticked names with these prefixes are project names (models, macros, tests, vars, columns).
PROJECT_PREFIXES = ("base_", "stg_", "int_", "fct_", "dim_", "audit_", "restricted_", "assert_", "warn_", "mrr_",
                    "sem_", "stripe_", "metricflow_", "ut_", "default__", "duckdb__", "postgres__", "spark__")
BUILTIN_TESTS = {"unique", "not_null", "accepted_values", "relationships"}

FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")
CODE = re.compile(r"`([^`\n]+)`")
NAME = re.compile(r"^[a-z][a-z0-9_*<>{},]*$")
SECTION_POINTER = re.compile(r"(docs/[\w.-]+\.md),?\s+(?:section\s+)?\"([^\"]{1,80})\"")


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _prose(path: Path) -> str:
    """The page without its fenced code blocks (commands and file trees)."""
    return FENCE.sub("", _text(path))


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = heading.strip().lower().replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


@cache
def anchors(path: Path) -> frozenset:
    seen: Counter = Counter()
    found = set()
    for line in FENCE.sub("", _text(path)).splitlines():
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            base = slug(match.group(1))
            found.add(base if not seen[base] else f"{base}-{seen[base]}")
            seen[base] += 1
    return frozenset(found)


@cache
def headings(path: Path) -> frozenset:
    """Each heading's text, also without its section number ("4. When an item counts")
    or its closing parenthesis ("Revenue (spec section 7)")."""
    texts = {re.sub(r"^#+\s+", "", line).strip() for line in FENCE.sub("", _text(path)).splitlines()
             if re.match(r"^#{1,6}\s", line)}
    texts |= {re.sub(r"^\d+\.\s+", "", text) for text in texts}
    return frozenset(texts | {re.sub(r"\s+\([^)]*\)$", "", text) for text in texts})


@cache
def tracked_files() -> tuple:
    try:
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout
        files = [line for line in listed.splitlines() if (ROOT / line).exists()]
    except (OSError, subprocess.CalledProcessError):
        files = [_rel(p) for p in ROOT.rglob("*") if p.is_file() and ".git" not in p.parts]
    return tuple(sorted(files))


def _load_yaml(path: Path):
    return yaml.load(_text(path), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@cache
def tracked_folders() -> frozenset:
    return frozenset(str(parent) for name in tracked_files() for parent in Path(name).parents)


def _yaml_files():
    return sorted((ROOT / "models").rglob("*.yml")) + sorted((ROOT / "seeds").rglob("*.yml"))


def project_vars() -> list:
    return list((_load_yaml(ROOT / "dbt_project.yml").get("vars") or {}).keys())


def _unprefixed(name: str) -> str:
    """A semantic-layer name as the standalone project has it: without the
    `{{ var('mrr_semantic_prefix') }}` in front (empty by default)."""
    return re.sub(r"^{{.*?}}", "", name)


@cache
def known_names() -> dict:
    """Every name a page may mention, by kind, read from the project's files."""
    names = {kind: set() for kind in ("model", "seed", "macro", "generic test", "data test", "unit test",
                                      "column", "var", "semantic", "docs block", "pytest")}
    names["model"] = {p.stem for p in (ROOT / "models").rglob("*.sql")}
    names["seed"] = {p.stem for p in (ROOT / "seeds").rglob("*.csv")}
    for path in (ROOT / "macros").rglob("*.sql"):
        names["macro"].update(re.findall(r"{%-?\s*macro\s+(\w+)\s*\(", _text(path)))
    for path in [*(ROOT / "tests" / "generic").glob("*.sql"), *(ROOT / "macros").rglob("*.sql")]:
        names["generic test"].update(re.findall(r"{%-?\s*test\s+(\w+)\s*\(", _text(path)))
    names["data test"] = {p.stem for p in (ROOT / "tests" / "data").glob("*.sql")}
    for path in (ROOT / "models").rglob("*.md"):
        names["docs block"].update(re.findall(r"{%-?\s*docs\s+(\w+)\s*-?%}", _text(path)))
    for path in _yaml_files():
        document = _load_yaml(path) or {}
        for test in document.get("unit_tests") or []:
            names["unit test"].add(test["name"])
        for model in [*(document.get("models") or []), *(document.get("seeds") or [])]:
            names["column"].update(column["name"] for column in model.get("columns") or [])
        for source in document.get("sources") or []:
            for table in source.get("tables") or []:
                names["seed"].add(table["name"])
                names["column"].update(column["name"] for column in table.get("columns") or [])
        for kind in ("exposures", "metrics", "semantic_models", "saved_queries"):
            for item in document.get(kind) or []:
                names["semantic"].add(_unprefixed(item["name"]))
                for part in ("entities", "dimensions", "measures"):
                    names["column"].update(_unprefixed(element["name"]) for element in item.get(part) or [])
    names["var"] = set(project_vars())
    for path in (ROOT / "tests" / "python").glob("test_*.py"):
        names["pytest"].update(re.findall(r"^def (test_\w+)", _text(path), flags=re.MULTILINE))
    return names


def _all_names() -> set:
    return set().union(*known_names().values())


def _tests() -> set:
    names = known_names()
    return names["generic test"] | names["data test"] | names["unit test"] | names["pytest"] | BUILTIN_TESTS


def _expand_braces(token: str) -> list:
    match = re.search(r"{([^{}]*)}", token)
    if not match:
        return [token]
    return [expanded for option in match.group(1).split(",")
            for expanded in _expand_braces(token[:match.start()] + option + token[match.end():])]


def _patterns(token: str) -> list:
    """Placeholders (`<table>`) and a trailing `_` (the `int_` models) match any name."""
    return [re.sub(r"<[^>]*>", "*", expanded) + ("*" if expanded.endswith("_") else "")
            for expanded in _expand_braces(token)]


def _name_exists(token: str, names: set) -> bool:
    return all(any(fnmatch.fnmatchcase(name, pattern) for name in names) if "*" in pattern else pattern in names
               for pattern in _patterns(token))


def _is_path(token: str) -> bool:
    """A file or folder of the repository; not a date (`31/12/2024`) or an assignment."""
    return ("/" in token or token.endswith(FILE_SUFFIXES)) and "=" not in token and re.search(r"[a-z]", token)


def _path_problem(token: str, page: Path) -> str | None:
    path, _, function = token.partition("::")
    function = function.split("[", 1)[0]  # a parametrized test's id: the function, then [its case]
    path = path.rstrip("/")
    if "://" in path or path.startswith(("$", "~", "/")) or any(path.startswith(g.rstrip("/")) for g in GENERATED):
        return None
    if "/" not in path and not path.endswith(FILE_SUFFIXES):
        return None
    files, folders = tracked_files(), tracked_folders()
    for pattern in _patterns(path):
        candidates = [pattern, str((page.parent / pattern).resolve().relative_to(ROOT))
                      if (page.parent / pattern).resolve().is_relative_to(ROOT) else pattern]
        if "/" not in pattern:  # a bare file name: anywhere in the repository
            hits = [f for f in files if fnmatch.fnmatchcase(Path(f).name, pattern)]
        else:
            hits = [f for candidate in candidates for f in [*files, *folders]
                    if fnmatch.fnmatchcase(f, candidate) or f.startswith(candidate + "/")]
        if not hits:
            return f"`{token}`: no such file or folder"
        if function and not any(re.search(rf"^def {re.escape(function)}\b", _text(ROOT / f), re.MULTILINE)
                                for f in hits if f.endswith(".py")):
            return f"`{token}`: no test {function} in {path}"
    return None


def _checked_pages(include_report: bool) -> list:
    pages = [README, *PAGES]
    return pages if include_report else [p for p in pages if p != GENERATED_REPORT]


@pytest.mark.parametrize("page", [README, *PAGES, CHANGELOG], ids=_rel)
def test_links_and_anchors_resolve(page):
    if not page.exists():
        pytest.skip(f"{_rel(page)} does not exist")
    problems = []
    for match in LINK.finditer(_prose(page)):
        target = match.group(1) or match.group(2)
        if re.match(r"^[a-z]+:", target):
            continue
        file_part, _, anchor = target.partition("#")
        resolved = (page.parent / file_part).resolve() if file_part else page
        if not resolved.exists():
            problems.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            problems.append(f"{target}: no heading with anchor #{anchor} in {_rel(resolved)}")
    assert not problems, f"{_rel(page)}: " + "; ".join(problems)


@pytest.mark.parametrize("page", _checked_pages(include_report=True), ids=_rel)
def test_file_paths_in_backticks_exist(page):
    problems = [problem for token in CODE.findall(_prose(page)) if " " not in token.strip() and _is_path(token.strip())
                for problem in [_path_problem(token.strip(), page)] if problem]
    assert not problems, f"{_rel(page)}: " + "; ".join(problems)


@pytest.mark.parametrize("page", _checked_pages(include_report=False), ids=_rel)
def test_named_models_macros_tests_and_vars_exist(page):
    all_names, tests = _all_names(), _tests()
    problems = []
    prose = _prose(page)
    for match in CODE.finditer(prose):
        token = match.group(1).strip()
        if " " in token or _is_path(token) or token.startswith("__"):
            continue
        parts = token.split(".") if re.match(r"^\w+\.\w+$", token) else [token]
        if not all(NAME.match(part) for part in parts):
            continue
        if re.search(r"\btests?\s+$", prose[max(0, match.start() - 12):match.start()]):
            if not _name_exists(parts[0], tests):
                problems.append(f"`{token}`: named as a test, but no such test")
            continue
        for part in parts:
            if part.startswith(PROJECT_PREFIXES) and not _name_exists(part, all_names):
                problems.append(f"`{token}`: no model, macro, test, seed, column, metric or var named {part}")
    assert not problems, f"{_rel(page)}: " + "; ".join(problems)


def test_section_pointers_in_code_name_a_heading():
    """`docs/decisions.md, "Incremental runs"` in a comment names a heading of that page."""
    problems = []
    for name in tracked_files():
        if not name.endswith((".sql", ".yml", ".py", ".sh", ".md")) or name.startswith("docs/"):
            continue
        for target, heading in SECTION_POINTER.findall(_text(ROOT / name)):
            heading = re.sub(r"\s*\n\s*(?:#|--|\*)?\s*", " ", heading)  # a heading wrapped over comment lines
            page = ROOT / target
            if not page.exists():
                problems.append(f"{name}: {target} does not exist")
            elif heading not in headings(page) and slug(heading) not in anchors(page):
                problems.append(f'{name}: {target} has no section "{heading}"')
    assert not problems, problems


def test_docs_paths_in_code_exist():
    """A comment pointing to a page under docs/ points to one that exists."""
    problems = sorted({f"{name}: {target}" for name in tracked_files()
                       if name.endswith((".sql", ".yml", ".py", ".sh", ".txt")) or name in ("Makefile",)
                       for target in re.findall(r"\bdocs/[\w.-]+\.md", _text(ROOT / name))
                       if not (ROOT / target).exists()})
    assert not problems, problems


def _readme_section(title: str) -> str:
    text = _text(README)
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def test_every_var_is_in_the_readme_vars_table_once():
    rows = re.findall(r"^\|\s*`(\w+)`\s*\|", _readme_section("Vars"), flags=re.MULTILINE)
    twice = sorted(name for name, count in Counter(rows).items() if count > 1)
    assert not twice, f"vars listed more than once: {twice}"
    assert set(rows) == set(project_vars()), {"undocumented": sorted(set(project_vars()) - set(rows)),
                                              "not in dbt_project.yml": sorted(set(rows) - set(project_vars()))}


def test_readme_map_names_every_folder_and_page():
    section = _readme_section("Where things are")
    tree = FENCE.search(section[section.index("```"):]).group(0)
    first_words = [line.split()[0] for line in tree.splitlines()[1:-1] if line.strip()]
    mapped = {word.rstrip("/") for word in first_words if "/" in word}
    # Committed files only: a scratch folder of one's own does not need a map line.
    committed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    folders = {str(Path(f).parent) for f in committed or tracked_files() if (ROOT / f).exists()} - {"."}
    assert not folders - mapped, f"folders missing from the README map: {sorted(folders - mapped)}"
    assert not mapped - folders, f"the README map names folders that do not exist: {sorted(mapped - folders)}"
    linked = {(README.parent / target.partition("#")[0]).resolve() for target in re.findall(r"\]\(([^)#\s]+)", section)}
    unlinked = [_rel(p) for p in PAGES if p.resolve() not in linked]
    assert not unlinked, f"pages under docs/ the README map does not link: {unlinked}"


def test_readme_lists_every_mart_once():
    rows = re.findall(r"^\|\s*`(\w+)`\s*\|", _readme_section("What it builds"), flags=re.MULTILINE)
    marts = {path.stem for path in (ROOT / "models" / "marts").rglob("*.sql")}
    assert sorted(name for name, count in Counter(rows).items() if count > 1) == []
    assert set(rows) == marts, {"marts missing from the README": sorted(marts - set(rows)),
                                "listed but not a mart": sorted(set(rows) - marts)}


def _text_files():
    return [name for name in tracked_files()
            if name.endswith((".sql", ".yml", ".py", ".sh", ".md", ".txt", ".toml")) or name in ("Makefile", ".ci/run")]


def test_spec_section_citations_name_a_section_of_the_contract():
    """"spec section 3" in a comment or description means section 3 of docs/contract.md."""
    numbered = {int(match) for match in re.findall(r"^## (\d+)\. ", _text(ROOT / "docs" / "contract.md"), re.MULTILINE)}
    problems = sorted({f"{name}: spec section {number}" for name in _text_files()
                       for cited in re.findall(r"spec sections? (\d+(?:(?:[-–, ]| and )+\d+)*)", _text(ROOT / name))
                       for number in map(int, re.findall(r"\d+", cited)) if number not in numbered})
    assert not problems, problems


def test_nothing_points_outside_the_repository():
    """The repository stands alone: no file refers to a sibling folder such as ../shared."""
    problems = sorted({name for name in _text_files() if re.search(r"\.\./shared\b", _text(ROOT / name))}
                      - {"tests/python/test_docs_links.py"})
    assert not problems, problems
