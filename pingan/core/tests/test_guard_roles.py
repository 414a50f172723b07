"""Who may do what is decided in `permissions.py` alone (pingan/core/permissions.py).

Actions, views, the API, selectors and templates ask `may()` / `require()` / `{% can %}`; they never
test a role themselves. This guard reads those files and fails on:

- a role value as a string literal ("city_admin", "duty_officer", ... every value of `Role`). Values
  that are also ordinary words or field names ("enterprise", "public", "integration", "inspector")
  count only where they are compared with a person's role or passed to a role helper;
- `Role.<MEMBER>` (Role.choices and the like, for forms that edit a user's role, are fine);
- a person's role read directly: `user.role`, `actor.role`, `request.user.role`, `{{ user.role }}`.

Role values may appear in permissions.py, models (scope rules), choices, demo data, tests, testing
helpers and migrations: those files are not read.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

from pingan.org.choices import Role

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "pingan"

AMBIGUOUS = {"enterprise", "public", "integration", "inspector"}
ROLE_VALUES = set(Role.values)
PLAIN = ROLE_VALUES - AMBIGUOUS
PERSON_NAMES = {"user", "actor", "person", "by", "who", "viewer", "member", "requester"}
NOT_MEMBERS = {"choices", "values", "labels", "names"}

# Findings per app on the day the guard was written (per app, not per file, so that splitting
# actions.py into a package does not disturb it). INTEGRATOR: empty this once the permission issue has
# moved these checks into the apps' permissions.py.
KNOWN: dict[str, int] = {}


def is_guarded(path: Path) -> bool:
    """actions*, *views.py, api/, selectors.py and templates of every app (not core's own helpers)."""
    parts = path.relative_to(PACKAGE).parts
    if any(p in {"tests", "migrations", "locale", "static", "management"} for p in parts):
        return False
    name = path.name
    if path.suffix == ".html":
        return "templates" in parts
    if (
        path.suffix != ".py"
        or name == "permissions.py"
        or name.startswith(("models", "choices", "demo", "testing"))
    ):
        return False
    return (
        name.startswith("actions")
        or "actions" in parts
        or name.endswith("views.py")
        or "api" in parts
        or name == "selectors.py"
    )


def _is_person_role(node: ast.AST) -> bool:
    if not (isinstance(node, ast.Attribute) and node.attr == "role"):
        return False
    owner = node.value
    return (isinstance(owner, ast.Name) and owner.id in PERSON_NAMES) or (
        isinstance(owner, ast.Attribute) and owner.attr == "user"
    )


def _literals(node: ast.AST) -> list[ast.Constant]:
    return [n for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def python_findings(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    docstrings = {
        id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
    }
    found: list[tuple[int, str]] = []
    in_role_context: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(_is_person_role(n) for n in ast.walk(node)):
            in_role_context |= {id(c) for c in _literals(node)}
        if isinstance(node, ast.Call):
            func = node.func
            fname = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if "role" in fname.lower():
                in_role_context |= {id(c) for a in node.args for c in _literals(a)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if node.value in PLAIN or (node.value in AMBIGUOUS and id(node) in in_role_context):
                found.append((node.lineno, f'"{node.value}"'))
        elif isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id == "Role" and node.attr not in NOT_MEMBERS:
                found.append((node.lineno, f"Role.{node.attr}"))
            elif _is_person_role(node):
                found.append((node.lineno, ast.unparse(node)))
    return sorted(found)


TEMPLATE_PLAIN = re.compile("[\"'](" + "|".join(sorted(PLAIN)) + ")[\"']")
TEMPLATE_ROLE = re.compile(r"\buser\.role\b")


def template_findings(source: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for number, line in enumerate(source.splitlines(), 1):
        found += [(number, m.group(0)) for m in TEMPLATE_PLAIN.finditer(line)]
        found += [(number, m.group(0)) for m in TEMPLATE_ROLE.finditer(line)]
    return found


def findings() -> dict[str, list[tuple[int, str]]]:
    out: dict[str, list[tuple[int, str]]] = {}
    for path in sorted(PACKAGE.rglob("*")):
        if not path.is_file() or not is_guarded(path):
            continue
        text = path.read_text(encoding="utf-8")
        hits = python_findings(text) if path.suffix == ".py" else template_findings(text)
        if hits:
            out[str(path.relative_to(ROOT))] = hits
    return out


def test_the_reader_finds_role_checks():
    code = 'if request.user.role == "city_admin" or actor.role in (Role.DEPT_STAFF, "enterprise"): pass\n'
    assert {label for _line, label in python_findings(code)} == {
        "request.user.role",
        "actor.role",
        '"city_admin"',
        '"enterprise"',
        "Role.DEPT_STAFF",
    }
    # An ordinary field called "enterprise", another model's role, Role.choices: not findings.
    assert python_findings('qs.select_related("enterprise")\nif task.role == "co": x = Role.choices\n') == []
    assert template_findings('{% if request.user.role == "duty_leader" %}') == [
        (1, '"duty_leader"'),
        (1, "user.role"),
    ]
    assert template_findings('{% if my_task.role == "co" %}') == []


def app_of(path: str) -> str:
    return Path(path).relative_to("pingan").parts[0]


def test_no_role_checks_outside_permissions():
    all_hits = findings()
    counts = Counter()
    for path, hits in all_hits.items():
        counts[app_of(path)] += len(hits)
    worse = sorted(app for app, n in counts.items() if n > KNOWN.get(app, 0))
    better = {app: (counts.get(app, 0), n) for app, n in KNOWN.items() if counts.get(app, 0) < n}
    assert not worse, (
        "roles are decided in permissions.py; ask may()/require()/{% can %} instead:\n"
        + "\n".join(
            f"  {p}:{line}: {label}"
            for p in sorted(all_hits)
            if app_of(p) in worse
            for line, label in all_hits[p]
        )
    )
    assert not better, "fewer role checks than KNOWN allows (well done): lower or remove " + ", ".join(
        f"{app}: {now} (was {was})" for app, (now, was) in sorted(better.items())
    )
