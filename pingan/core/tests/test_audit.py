import pytest
from django.db import DatabaseError, connection, transaction

from pingan.core import audit
from pingan.core.context import origin
from pingan.core.models import AuditEvent, AuditImmutable


@pytest.mark.django_db
def test_record_captures_actor_origin_and_division(world):
    actor = world.user("area_staff")
    enterprise = world.enterprises["qingcheng"]
    with origin("web", ip="10.1.2.3", request_id="req-1"):
        event = audit.record(
            "org.enterprise.update", enterprise, actor=actor, before={"name": "old"}, after={"name": "new"}
        )
    event.refresh_from_db()
    assert event.actor == actor and event.actor_label == "qingcheng_area"
    assert (event.channel, event.ip, event.request_id) == ("web", "10.1.2.3", "req-1")
    assert event.division_path == "441802006"
    assert event.before == {"name": "old"} and event.after == {"name": "new"}


@pytest.mark.django_db
def test_orm_refuses_update_and_delete(world):
    event = audit.record("x.y.z", world.enterprises["qingcheng"])
    event.note = "tampered"
    with pytest.raises(AuditImmutable):
        event.save()
    with pytest.raises(AuditImmutable):
        event.delete()
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(note="tampered")
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.django_db
def test_database_refuses_update_below_the_orm(world):
    event = audit.record("x.y.z", world.enterprises["qingcheng"])
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditevent SET note = 'tampered' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).note == ""


@pytest.mark.django_db
def test_database_refuses_delete_on_postgresql(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite leaves DELETE to the ORM guard (the test runner flushes with DELETE)")
    event = audit.record("x.y.z", world.enterprises["qingcheng"])
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_anonymous_and_system_actors_are_labelled(world):
    from django.contrib.auth.models import AnonymousUser

    enterprise = world.enterprises["qingcheng"]
    assert audit.record("x.public", enterprise, actor=AnonymousUser()).actor_label == "anonymous"
    assert audit.record("x.device", enterprise, actor="device:GAS-001").actor_label == "device:GAS-001"
    assert audit.record("x.system", enterprise).actor_label == ""
