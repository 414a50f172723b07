"""The audit trail is tamper-evident: every insert path chains its events, `verify_audit` checks the
chain, and a row altered or removed below the ORM is found and named."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from pingan.core import audit
from pingan.core.models import GENESIS, AuditEvent, chain_hash


def _raw(sql: str, params: list | None = None) -> None:
    """Change the table below the ORM, as an operator with database access could: the append-only
    trigger is lifted for the statement (SQLite: dropped and re-created; PostgreSQL: disabled)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
            cur.execute(sql, params or [])
            cur.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")
        else:
            cur.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")
            cur.execute(sql, params or [])
            cur.execute(
                "CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent "
                "BEGIN SELECT RAISE(ABORT, 'audit events are append-only (UPDATE refused)'); END;"
            )


def _events(world, n: int = 5) -> list[AuditEvent]:
    user = world.user("area_staff")
    return [
        audit.record(
            "core.test.event",
            world.city,
            actor=user,
            before={"n": i},
            after={"n": i + 1.0, "x": [1, 2]},
            note=f"第 {i} 条",
        )
        for i in range(n)
    ]


def test_events_are_chained_in_insert_order(world):
    events = _events(world)
    rows = list(AuditEvent.objects.order_by("id"))
    assert rows[0].prev_hash == GENESIS
    for earlier, later in zip(rows, rows[1:], strict=False):
        assert later.prev_hash == earlier.hash and len(later.hash) == 64
    assert events[-1].hash == rows[-1].hash
    count, bad, _why, head = audit.verify_chain()
    assert bad is None and count == len(rows) and head == rows[-1].hash


def test_bulk_create_chains_too(world):
    AuditEvent.objects.bulk_create([AuditEvent(action="core.test.bulk", note=str(i)) for i in range(50)])
    assert audit.verify_chain()[1] is None


def test_monitoring_raw_insert_chains_too(world):
    from pingan.monitoring.ingest import Pipeline
    from pingan.monitoring.tests.helpers import make_plant

    make_plant(world)
    t0 = int(time.time()) - 3600
    items = [{"sensor": "g1", "ts": t0 + i * 60, "value": v} for i, v in enumerate([10, 30, 55, 40, 10])]
    Pipeline("mqtt").ingest_items(*_device("QC-GAS-01"), items)
    actions = list(
        AuditEvent.objects.filter(action__startswith="monitoring.alarm").values_list("action", flat=True)
    )
    assert "monitoring.alarm.raise" in actions and "monitoring.alarm.clear" in actions
    _events(world, 2)  # ORM events after the raw ones link to them
    assert audit.verify_chain()[1] is None


def _device(code: str) -> tuple[int, str]:
    from pingan.monitoring.models import Device

    return Device.objects.get(code=code).pk, code


def test_a_row_altered_below_the_orm_is_found_and_named(world):
    events = _events(world)
    call_command("verify_audit")  # intact
    victim = events[2]
    _raw("UPDATE core_auditevent SET note = %s WHERE id = %s", ["篡改", victim.pk])
    with pytest.raises(CommandError) as broken:
        call_command("verify_audit")
    assert f"id={victim.pk}" in str(broken.value) and "content" in str(broken.value)


def test_a_row_whose_hash_was_recomputed_still_breaks_the_next_link(world):
    """Someone who rewrites a row and its hash (they can read the code) breaks the link of the next."""
    events = _events(world)
    victim, after = events[1], events[2]
    row = AuditEvent.objects.filter(pk=victim.pk).values().get()
    row["note"] = "篡改"
    forged = chain_hash(row["prev_hash"], row)
    _raw("UPDATE core_auditevent SET note = %s, hash = %s WHERE id = %s", ["篡改", forged, victim.pk])
    count, bad, why, _head = audit.verify_chain()
    assert (bad, why) == (after.pk, "link")


def test_a_removed_row_is_found(world):
    events = _events(world)
    _raw("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
    _count, bad, why, _head = audit.verify_chain()
    assert (bad, why) == (events[2].pk, "link")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_keep_one_chain(django_db_blocker):
    """Eight threads (each its own connection) record events at once: still one unbroken chain."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes every writer with BEGIN IMMEDIATE; the race matters on PostgreSQL")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(20):
                audit.record("core.test.concurrent", None, note=f"{n}-{i}")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    count, bad, _why, _head = audit.verify_chain()
    assert bad is None and count >= 160
