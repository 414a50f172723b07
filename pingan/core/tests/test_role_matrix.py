"""The role → navigation table in docs/architecture.md is the one the code produces."""

import pytest
from django.core.management import call_command

from pingan.core.management.commands.role_matrix import DOC, section_of, table


@pytest.mark.django_db
def test_architecture_guide_has_the_generated_role_table():
    documented = section_of(DOC.read_text(encoding="utf-8"))
    assert documented is not None, "docs/architecture.md lost its role-matrix markers"
    assert documented == table(), (
        "The role → navigation table in docs/architecture.md is out of date. Regenerate it with "
        "`python manage.py role_matrix --write` (after merging every app's navigation) and commit the change."
    )


@pytest.mark.django_db
def test_command_prints_the_table(capsys):
    call_command("role_matrix")
    out = capsys.readouterr().out
    assert out == table()
    lines = {line.split(" | ")[0]: line for line in out.splitlines() if line.startswith("| `")}
    # Each role's row shows what that role is offered, and only that.
    assert "`core.view_audit`" in lines["| `city_admin` (city)"]
    assert "`core.view_audit`" not in lines["| `dept_staff` (district)"]
    assert "`org.view_workspace`" in lines["| `enterprise` (enterprise)"]
    assert "`core.view_console`" not in lines["| `enterprise` (enterprise)"]
    assert "`dashboard.view_command_centre`" not in lines["| `grid_worker` (town)"]
    assert "`geo.view_divisions`" not in lines["| `grid_worker` (town)"]
