"""Who may do what is decided in permissions.py only: views, actions, the API and templates of the
console's shell and of org, geo, notify, dashboard and portal name no role (add the domain apps here as
they are converted)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ["core", "org", "geo", "notify", "dashboard", "portal", "assessment"]
ROLE = re.compile(
    r"""Role\.[A-Z_]+|\.role\s*(==|!=|\bin\b|\bnot in\b)|["'](city_admin|dept_staff|area_staff|grid_worker|"""
    r"""inspector|duty_officer|duty_leader|rescue_lead)["']|is_staff_role|sees_everything"""
)


def sources() -> list[Path]:
    files = []
    for app in APPS:
        base = ROOT / app
        for path in base.rglob("*"):
            if path.suffix not in (".py", ".html") or "tests" in path.parts or "migrations" in path.parts:
                continue
            if path.name in (
                "permissions.py",
                "models.py",
                "choices.py",
                "demo.py",
                "testing.py",
                "querysets.py",
                "demo_accounts.py",
                "role_matrix.py",
                "nav.py",
            ):
                continue  # the decisions themselves, scope rules, demo people and the table's personas
            files.append(path)
    return files + [p for p in (ROOT / "templates").rglob("*.html")]


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_role_decisions_outside_permissions(path):
    hits = [
        f"{n}: {line.strip()}"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ROLE.search(line)
    ]
    assert not hits, hits
