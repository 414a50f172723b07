"""Each transition and its audit event; the level rule; Update and Cancel keep the chain; expiry."""

from datetime import timedelta

import pytest
from django.utils import timezone

from pingan.core.actions import ActionError, Conflict, Forbidden
from pingan.core.models import AuditEvent
from pingan.warnings import actions, cap
from pingan.warnings.choices import State

from .factories import content, draft, publish_follow_up, to_state

pytestmark = pytest.mark.django_db


def actions_of(obj):
    return list(AuditEvent.objects.for_object(obj).order_by("at", "id").values_list("action", flat=True))


def test_each_step_is_audited(world):
    w = to_state(world, "published")
    assert w.state == State.PUBLISHED
    assert actions_of(w) == [
        "warnings.warning.create",
        "warnings.warning.submit",
        "warnings.warning.approve",
        "warnings.warning.publish",
    ]
    ev = AuditEvent.objects.get(action="warnings.warning.publish")
    assert ev.before["state"] == "approved" and ev.after["state"] == "published"
    assert ev.division_path == world.districts["qingcheng"].path


def test_reject_returns_to_draft_with_reason(world):
    w = to_state(world, "review")
    leader = world.user("duty_leader")
    with pytest.raises(ActionError) as err:
        actions.do_reject(leader, w, "")
    assert err.value.field == "note"
    w = actions.do_reject(leader, w, "区域不准确")
    assert w.state == State.DRAFT
    assert AuditEvent.objects.get(action="warnings.warning.reject").note == "区域不准确"


def test_orange_needs_a_city_level_approver(world):
    w = to_state(world, "review", colour="orange")
    with pytest.raises(Forbidden):
        actions.do_approve(world.user("duty_leader"), w)  # district leader: yellow/blue only
    w = actions.do_approve(world.user("city_admin", "city"), w)
    assert w.state == State.APPROVED


def test_writer_does_not_approve_own_warning(world):
    leader = world.user("duty_leader")
    w = draft(world, by=leader)
    w = actions.do_submit(leader, w)
    with pytest.raises(Forbidden):
        actions.do_approve(leader, w)


def test_other_district_cannot_write_here(world):
    with pytest.raises(Forbidden) as err:
        actions.do_create(world.user("duty_officer", "yingde"), world.districts["qingcheng"], content())
    assert err.value.field == "division"


def test_publish_twice_is_a_conflict_or_refused(world):
    w = to_state(world, "published")
    with pytest.raises((Conflict, Forbidden)):
        actions.do_publish(world.user("duty_officer"), w)


@pytest.mark.parametrize(
    "field,value",
    [
        ("expires", None),
        ("event_code", "99X99"),
        ("colour", "unknown"),
        ("category", "social_security"),
        ("headline", " "),
    ],
)
def test_bad_content_names_the_field(world, field, value):
    with pytest.raises(ActionError) as err:
        draft(world, **{field: value})
    assert err.value.field == field


def test_expires_before_onset_refused(world):
    now = timezone.now()
    with pytest.raises(ActionError) as err:
        draft(world, onset=now + timedelta(hours=2), expires=now + timedelta(hours=1))
    assert err.value.field == "expires"


@pytest.mark.parametrize(
    "areas,field",
    [
        ([{"division": "999999"}], "areas[0].division"),
        ([{"polygon": [[113, 23], [113.1, 23]]}], "areas[0].polygon"),
        ([{"circle": {"lat": 23.7, "lon": 113.05, "radius_km": 0}}], "areas[0].circle"),
        ([{"area_desc": "nothing"}], "areas[0]"),
    ],
)
def test_bad_areas_name_the_field(world, areas, field):
    with pytest.raises(ActionError) as err:
        draft(world, areas=areas)
    assert err.value.field == field


def test_published_message_validates_against_the_xsd(world):
    w = to_state(
        world,
        "published",
        areas=[
            {"division": "441802006"},
            {
                "area_desc": "北江沿岸",
                "polygon": [[113.0, 23.6], [113.1, 23.6], [113.1, 23.7], [113.0, 23.6]],
            },
            {"area_desc": "水库下游", "circle": {"lat": 23.7, "lon": 113.05, "radius_km": 5}},
        ],
    )
    assert cap.validate(w.cap_xml) == []
    parsed = cap.parse(w.cap_xml)
    assert parsed.identifier == w.identifier and parsed.msg_type == "Alert"
    assert parsed.colour == "yellow" and parsed.event_code == "11B03"
    assert "<severity>Moderate</severity>" in w.cap_xml
    assert len(parsed.areas) == 3 and parsed.areas[0].geocodes == ["441802006"]
    assert parsed.areas[2].circle == (23.7, 113.05, 5.0)
    assert w.identifier.startswith("441802")


def test_xsd_catches_an_invalid_message(world):
    w = to_state(world, "published")
    broken = w.cap_xml.replace("<msgType>Alert</msgType>", "<msgType>Ack2</msgType>")
    assert cap.validate(broken)


def test_update_then_cancel_keep_the_chain(world):
    w = to_state(world, "published")
    upd = publish_follow_up(world, w, "Update", colour="blue", headline="暴雨预警降为蓝色")
    w.refresh_from_db()
    assert w.state == State.SUPERSEDED and w.ended_at == upd.sent
    assert upd.original == w and w.identifier in upd.references
    assert cap.validate(upd.cap_xml) == [] and "<msgType>Update</msgType>" in upd.cap_xml
    assert f"<references>{upd.references}</references>" in upd.cap_xml
    can = publish_follow_up(world, upd, "Cancel")
    upd.refresh_from_db()
    assert upd.state == State.CANCELLED
    assert cap.validate(can.cap_xml) == [] and "<msgType>Cancel</msgType>" in can.cap_xml
    # The Cancel references the whole chain: the first Alert and the Update.
    assert w.identifier in can.references and upd.identifier in can.references
    assert not can.is_active
    assert "warnings.warning.superseded" in actions_of(w)
    assert "warnings.warning.cancelled" in actions_of(upd)


def test_identifiers_get_the_N_suffix_within_one_second(world, monkeypatch):
    now = timezone.now()
    a = to_state(world, "approved")
    b = to_state(world, "approved")
    a = actions.do_publish(world.user("duty_officer"), a, now=now)
    b = actions.do_publish(world.user("duty_officer"), b, now=now)
    assert b.identifier == a.identifier + "_1"


def test_expiry_ends_a_warning_by_itself(world):
    w = to_state(world, "published")
    assert actions.expire_due(timezone.now()) == 0
    later = w.expires + timedelta(seconds=1)
    assert actions.expire_due(later) == 1
    w.refresh_from_db()
    assert w.state == State.EXPIRED and w.ended_at == w.expires
    ev = AuditEvent.objects.get(action="warnings.warning.expire")
    assert ev.actor is None and ev.actor_label == "system"
    assert actions.expire_due(later) == 0  # idempotent


def test_the_reconciler_task_expires(world, time_machine):
    from pingan.warnings.tasks import expire_warnings

    w = to_state(world, "published")
    time_machine.move_to(w.expires + timedelta(minutes=1))
    expire_warnings.call_local()
    w.refresh_from_db()
    assert w.state == State.EXPIRED


def test_a_concurrent_identifier_is_retried_with_the_next_suffix(world, monkeypatch):
    """Two publications in one second: the unique identifier makes the later one take `_1`."""
    from pingan.warnings.actions import workflow as mod

    now = timezone.now()
    first = actions.do_publish(world.user("duty_officer"), to_state(world, "approved"), now=now)
    real = mod._new_identifier
    calls = []

    def stale(warning, sent):  # the first call does not yet see the other publication
        calls.append(1)
        return first.identifier if len(calls) == 1 else real(warning, sent)

    monkeypatch.setattr(mod, "_new_identifier", stale)
    second = actions.do_publish(world.user("duty_officer"), to_state(world, "approved"), now=now)
    assert second.identifier == first.identifier + "_1" and len(calls) == 2
