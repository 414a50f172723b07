"""The soak's fault plan: the broker and PostgreSQL restarts only with --faults=all (never in tests)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from pingan.dashboard.management.commands.soak import Command


def test_fault_plan():
    plan = Command._fault_plan
    assert plan("", True) == []
    assert [f for _at, f in plan("processes", True)] == ["web", "worker", "mqtt"]
    assert [f for _at, f in plan("processes", False)] == ["web", "worker"]
    assert [f for _at, f in plan("all", True)] == ["web", "worker", "mqtt", "broker", "postgres"]
    assert [at for at, _f in plan("all", True)] == sorted(at for at, _f in plan("all", True))


@pytest.mark.django_db
def test_restarting_the_database_needs_postgresql():
    if connection.vendor == "postgresql":
        pytest.skip("checks the refusal on other databases")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("soak", "--faults=all", "--seconds", "1", "--sensors", "1")
