"""Every state change and its audit event; the chain's deadlines (overdue checks, filing, the daily
commitment) and their escalation; a finding becomes a hazard case linked back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pingan.core import deadlines
from pingan.core.actions import ActionError, Conflict, Forbidden
from pingan.core.links import linked
from pingan.core.models import AuditEvent, Deadline
from pingan.hazards.models import HazardCase
from pingan.notify.models import Message
from pingan.risks import actions, rules
from pingan.risks.models import Assessment, CheckTask, Commitment, RiskObject

from .factories import analysis_unit, chain, city_point, mhs

pytestmark = pytest.mark.django_db


def events_of(obj):
    return list(AuditEvent.objects.for_object(obj).order_by("id").values_list("action", flat=True))


def test_create_and_chain_are_audited(world):
    point = city_point(world)
    task = chain(world, point)
    assert events_of(point) == [
        "risks.object.create",
        "risks.object.add_event",
        "risks.object.add_measure",
        "risks.object.add_task",
    ]
    assert point.department == world.departments["qc_town"]  # the keeper's department owns it
    row = Deadline.objects.get(kind="risks.check", object_id=str(task.pk))
    assert row.due_at == task.next_due_at and row.division == point.division


def test_keepers_and_scope_are_enforced_by_actions(world):
    with pytest.raises(Forbidden):
        actions.do_create_object(
            world.user("area_staff", "yingde"),
            kind="city_point",
            name="x",
            point_type="slope",
            division=world.towns["qingcheng"],
        )
    with pytest.raises(Forbidden):
        actions.do_create_object(
            world.user("enterprise", "yingde"),
            kind="analysis_unit",
            name="x",
            point_type="device",
            enterprise=world.enterprises["qingcheng"],
        )
    with pytest.raises(ActionError) as err:
        actions.do_create_object(world.user("area_staff"), kind="city_point", name="x", point_type="slope")
    assert err.value.field == "location"
    unit = analysis_unit(world)
    assert unit.division == world.enterprises["qingcheng"].division
    with pytest.raises(Forbidden):
        actions.do_add_event(
            world.user("area_staff"), unit, name="泄漏"
        )  # the enterprise keeps its own units


def test_reassessment_keeps_history_and_sets_owner(world):
    point = city_point(world)
    staff = world.user("area_staff")
    actions.do_assess(staff, point, method="lec", inputs={"likelihood": 6, "exposure": 6, "consequence": 3})
    actions.do_assess(staff, point, method="ls", inputs={"likelihood": 5, "severity": 4}, note="汛期复评")
    point.refresh_from_db()
    assert point.level == "major" and point.owner_post == "principal"
    assert list(
        Assessment.objects.filter(risk_object=point).order_by("id").values_list("level", flat=True)
    ) == ["general", "major"]
    ev = AuditEvent.objects.for_object(point).filter(action="risks.object.assess").order_by("id").last()
    assert (
        ev.before["level"] == "general"
        and ev.after["level"] == "major"
        and ev.after["version"] == "LS-2026.1"
    )


def test_task_cycle_defaults_from_level_matrix(world):
    point = city_point(world)
    actions.do_assess(world.user("area_staff"), point, method="ls", inputs={"likelihood": 4, "severity": 4})
    point.refresh_from_db()
    task = chain(world, point, cycle="")
    assert (task.cycle, task.post) == (rules.LEVEL_CONTROL["large"]["cycle"], "safety_dept")


def test_check_record_closes_deadline_and_schedules_next(world):
    task = chain(world, city_point(world))
    first_due = task.next_due_at
    rec = actions.do_record_check(world.user("grid_worker"), task, result="ok")
    task.refresh_from_db()
    assert rec.on_time and rec.due_at == first_due
    assert task.next_due_at == first_due + dt.timedelta(days=1)
    rows = Deadline.objects.filter(kind="risks.check", object_id=str(task.pk)).order_by("id")
    assert rows[0].met_at is not None and rows[1].met_at is None and rows[1].due_at == task.next_due_at
    ev = AuditEvent.objects.for_object(task).get(action="risks.task.record")
    assert ev.after["result"] == "ok" and ev.after["on_time"] is True


def test_missed_check_is_overdue_and_escalates(world):
    point = city_point(world)
    task = chain(world, point, cycle="monthly")
    now = task.next_due_at + dt.timedelta(minutes=5)
    counts = deadlines.reconcile(now)
    assert counts["escalated"] == 1
    assert "risks.task.overdue" in events_of(task)
    keepers = Message.objects.filter(
        event="risks.check.overdue", recipient__department=world.departments["qc_town"]
    )
    assert keepers.exists()
    # A day later: the level above — for a township office, its district's emergency management bureau.
    assert deadlines.reconcile(now + dt.timedelta(days=1, minutes=1))["escalated"] == 1
    assert Message.objects.filter(
        event="risks.check.overdue", urgent=True, recipient__department=world.departments["qc_em"]
    ).exists()
    assert deadlines.reconcile(now + dt.timedelta(days=2))["escalated"] == 0
    # A late check is recorded as late and schedules from the time it was done.
    late_at = now + dt.timedelta(days=2)
    rec = actions.do_record_check(world.user("area_staff"), task, result="ok", at=late_at)
    assert rec.on_time is False
    task.refresh_from_db()
    assert task.next_due_at == rules.next_due(late_at, "monthly")


def test_enterprise_unit_overdue_goes_to_supervisors_at_level_two(world):
    unit = analysis_unit(world)
    task = chain(world, unit)
    deadlines.reconcile(task.next_due_at + dt.timedelta(minutes=1))
    deadlines.reconcile(task.next_due_at + dt.timedelta(days=1, minutes=2))
    supervisors = Message.objects.filter(
        event="risks.check.overdue", recipient__department=world.departments["qc_em"]
    )
    assert supervisors.exists()


def test_finding_opens_a_hazard_case_linked_back(world):
    point = city_point(world, lat=23.7, lon=113.05)
    task = chain(world, point)
    rec = actions.do_record_check(
        world.user("grid_worker"), task, result="finding", note="护栏破损", lat=23.71, lon=113.06
    )
    case = HazardCase.objects.get(pk=rec.hazard_case_id)
    assert case.source == "grid" and case.category.code == "crowded" and rec.hazard_case_number == case.number
    assert ("opened_case", case) in linked(rec)
    assert (
        AuditEvent.objects.for_object(task).get(action="risks.task.record").after["hazard_case"]
        == case.number
    )


def test_enterprise_finding_is_self_reported(world):
    unit = analysis_unit(world)
    task = chain(world, unit)
    rec = actions.do_record_check(world.user("enterprise"), task, result="finding", note="法兰渗漏")
    case = HazardCase.objects.get(pk=rec.hazard_case_id)
    assert case.source == "enterprise" and case.enterprise == world.enterprises["qingcheng"]


def test_record_refused_for_duty_officer(world):
    task = chain(world, city_point(world))
    with pytest.raises(Forbidden):
        actions.do_record_check(world.user("duty_officer"), task, result="ok")
    assert not task.records.exists()


def test_mhs_declare_and_file(world):
    src = mhs(world)
    assert (src.grade, str(src.r_value), src.filing_state) == ("3", "10.0000", "unfiled")
    assert src.filing_due == timezone.localdate() + dt.timedelta(days=15)
    assert [c.critical_quantity for c in src.chemicals.all()] == [5]
    assert Deadline.objects.filter(kind="risks.filing", object_id=str(src.pk), met_at=None).exists()
    with pytest.raises(Forbidden):
        actions.do_file_mhs(world.user("dept_staff"), src)
    actions.do_file_mhs(world.user("enterprise"), src, number="QY-BA-001")
    src.refresh_from_db()
    assert src.filing_state == "filed" and src.filing_number == "QY-BA-001"
    assert events_of(src) == ["risks.mhs.create", "risks.mhs.file"]
    assert not Deadline.objects.filter(kind="risks.filing", object_id=str(src.pk), met_at=None).exists()
    with pytest.raises(Conflict):
        actions.do_file_mhs(world.user("enterprise"), src)


def test_below_threshold_needs_no_filing(world):
    src = mhs(world, chemicals=[{"chemical": "氨", "quantity": 8}], population=120)
    assert src.grade == "none" and src.filing_state == "not_required" and src.r_value is None
    with pytest.raises(Conflict):
        actions.do_file_mhs(world.user("enterprise"), src)


def test_daily_commitment_on_time_late_and_missing(world):
    mhs(world)
    mhs(world, "yingde")
    day = dt.date(2026, 3, 2)
    due = rules.commitment_due(day)
    assert actions.open_commitment_day(day) == 2
    assert actions.open_commitment_day(day) == 0  # idempotent
    row = actions.do_submit_commitment(
        world.user("enterprise"),
        world.enterprises["qingcheng"],
        text="承诺",
        signed_by="张三",
        day=day,
        at=due - dt.timedelta(minutes=5),
        special_work={"hot_work": "2"},
    )
    assert row.on_time and row.special_work == {"hot_work": 2}
    assert events_of(row) == ["risks.commitment.submit"]
    with pytest.raises(Conflict):
        actions.do_submit_commitment(
            world.user("enterprise"),
            world.enterprises["qingcheng"],
            text="承诺",
            signed_by="张三",
            day=day,
            at=due,
        )
    # 英德 did not commit: at 09:00 its supervising department hears of it.
    assert deadlines.reconcile(due + dt.timedelta(minutes=1))["escalated"] == 1
    assert Message.objects.filter(
        event="risks.commitment.overdue", recipient__department=world.departments["yd_em"]
    ).exists()
    assert not Message.objects.filter(
        event="risks.commitment.overdue", recipient__department=world.departments["qc_em"]
    ).exists()
    assert "risks.commitment.overdue" in events_of(world.enterprises["yingde"])
    late = actions.do_submit_commitment(
        world.user("enterprise", "yingde"),
        world.enterprises["yingde"],
        text="承诺",
        signed_by="李四",
        day=day,
        at=due + dt.timedelta(hours=1),
    )
    assert late.on_time is False
    from pingan.risks.selectors import commitment_rate

    rate = commitment_rate(world.user("city_admin", "city"), day)
    assert (rate["on_time"], rate["required"], str(rate["rate"])) == (1, 2, "50.0")
    assert [d["rate"] for d in commitment_rate(world.user("dept_staff"), day)["districts"]] == [100]
    with pytest.raises(Forbidden):
        actions.do_submit_commitment(
            world.user("enterprise", "yingde"), world.enterprises["qingcheng"], text="x", signed_by="x"
        )
    assert Commitment.objects.count() == 2


def test_models_scope(world):
    point = city_point(world)
    unit = analysis_unit(world)
    assert set(RiskObject.objects.visible_to(world.user("enterprise"))) == {unit}
    assert set(RiskObject.objects.visible_to(world.user("grid_worker"))) == {point, unit}
    assert not RiskObject.objects.visible_to(world.user("area_staff", "yingde")).exists()
    assert not CheckTask.objects.visible_to(world.user("public", "city")).exists()


def test_major_hazard_source_generates_the_package_checks(world):
    src = mhs(world)
    tasks = CheckTask.objects.filter(risk_object=src.risk_object).order_by("id")
    assert [(t.post, t.cycle) for t in tasks] == [
        ("principal", "quarterly"),
        ("technical", "monthly"),
        ("operational", "weekly"),
    ]
    assert src.risk_object.enterprise == world.enterprises["qingcheng"]
    assert Deadline.objects.filter(kind="risks.check", object_id__in=[str(t.pk) for t in tasks]).count() == 3
    small = mhs(world, chemicals=[{"chemical": "氨", "quantity": 1}], population=0)
    assert small.risk_object is None


def test_check_photo_is_an_image_and_served_to_who_sees_it(world):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse
    from PIL import Image

    task = chain(world, city_point(world))
    with pytest.raises(ActionError) as err:
        actions.do_record_check(
            world.user("grid_worker"),
            task,
            result="ok",
            photo=SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>"),
        )
    assert err.value.field == "photo" and not task.records.exists()
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 90, 200)).save(buf, format="PNG")
    rec = actions.do_record_check(
        world.user("grid_worker"), task, result="ok", photo=SimpleUploadedFile("scene.png", buf.getvalue())
    )
    assert rec.photo.name.endswith(f"check-{rec.pk}.png")
    url = reverse("risks:record_photo", args=[rec.pk])
    c = Client()
    c.force_login(world.user("area_staff"))
    r = c.get(url)
    assert (
        r.status_code == 200 and r["Content-Type"] == "image/png" and r["X-Content-Type-Options"] == "nosniff"
    )
    c.force_login(world.user("area_staff", "yingde"))
    assert c.get(url).status_code == 404


def test_reassessment_moves_default_tasks_to_the_new_level(world):
    point = city_point(world)
    staff = world.user("area_staff")
    actions.do_assess(staff, point, method="ls", inputs={"likelihood": 1, "severity": 3})  # low: quarterly
    point.refresh_from_db()
    default = chain(world, point, cycle="")
    custom = actions.do_add_task(staff, default.measure, name="自定义", cycle="yearly")
    assert (default.cycle, default.post) == ("quarterly", "team")
    actions.do_assess(staff, point, method="ls", inputs={"likelihood": 5, "severity": 5})  # major: daily
    default.refresh_from_db()
    custom.refresh_from_db()
    assert (default.cycle, default.post) == ("daily", "principal") and custom.cycle == "yearly"
    assert default.next_due_at <= timezone.now() + dt.timedelta(days=1, seconds=5)
    open_rows = Deadline.objects.filter(
        kind="risks.check", object_id=str(default.pk), met_at=None, cancelled_at=None
    )
    assert [r.due_at for r in open_rows] == [default.next_due_at]
    ev = AuditEvent.objects.for_object(point).filter(action="risks.object.assess").order_by("id").last()
    assert ev.after["tasks"] == [default.pk]
