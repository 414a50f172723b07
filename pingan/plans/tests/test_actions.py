"""Every transition with its audit event, the deadlines it makes, and bad inputs."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from pingan.core import deadlines
from pingan.core.actions import ActionError, Conflict, Forbidden
from pingan.core.models import AuditEvent, Deadline
from pingan.notify.models import Message
from pingan.plans import actions
from pingan.plans.models import Drill, PlanRevision

from .factories import activation, draft_plan, effective_plan, incident, plan_data, tasks_for

pytestmark = pytest.mark.django_db


def events(obj=None, action=None):
    qs = AuditEvent.objects.all()
    if action:
        qs = qs.filter(action=action)
    if obj is not None:
        qs = qs.filter(object_id=str(obj.pk))
    return qs


def test_create_plan_keeps_revision_one_and_audits(world):
    plan = draft_plan(world)
    assert plan.number.startswith("YA-")
    assert plan.state == "draft" and plan.version == 1
    assert plan.tasks.count() == 3
    assert PlanRevision.objects.get(plan=plan).version == 1
    assert events(plan, "plans.plan.create").count() == 1


def test_edit_is_a_revision(world):
    plan = draft_plan(world)
    tasks = tasks_for(world)[:2]
    plan = actions.do_edit_plan(
        world.user("area_staff"), plan, plan_data(world, title="新名称"), tasks, "调整任务"
    )
    assert plan.version == 2 and plan.title == "新名称" and plan.tasks.count() == 2
    revs = list(plan.revisions.order_by("version"))
    assert [r.version for r in revs] == [1, 2] and revs[1].summary == "调整任务"
    assert len(revs[1].snapshot["tasks"]) == 2
    e = events(plan, "plans.plan.edit").get()
    assert e.before["title"] != e.after["title"]


def test_edit_needs_summary_and_scope(world):
    plan = draft_plan(world)
    with pytest.raises(ActionError) as err:
        actions.do_edit_plan(world.user("area_staff"), plan, plan_data(world), tasks_for(world), " ")
    assert err.value.field == "summary"
    with pytest.raises(Forbidden):
        actions.do_edit_plan(
            world.user("dept_staff", "yingde"), plan, plan_data(world), tasks_for(world), "x"
        )


@pytest.mark.parametrize(
    "over,field",
    [
        ({"title": " "}, "title"),
        ({"kind": "nope"}, "kind"),
        ({"owner_level": "x"}, "owner_level"),
        ({"event_types": ["martian"]}, "event_types"),
        ({"levels": []}, "levels"),
        ({"levels": ["9"]}, "levels"),
        ({"owner_level": "enterprise"}, "enterprise"),
        ({"division": None}, "division"),
    ],
)
def test_bad_plan_content(world, over, field):
    with pytest.raises(ActionError) as err:
        actions.do_create_plan(world.user("area_staff"), plan_data(world, **over), tasks_for(world))
    assert err.value.field == field


@pytest.mark.parametrize(
    "bad",
    [
        {"level": "2"},  # not among the plan's levels
        {"department": None, "organisation": ""},
        {"role": ""},
        {"due_minutes": 0},
        {"due_minutes": 10**9},
    ],
)
def test_bad_tasks(world, bad):
    t = tasks_for(world)[0] | bad
    with pytest.raises(ActionError) as err:
        actions.do_create_plan(world.user("area_staff"), plan_data(world), [t])
    assert err.value.field == "tasks"


def test_create_out_of_area_is_404(world):
    with pytest.raises(Http404):
        draft_plan(world, "yingde", by=world.user("area_staff", "qingcheng"))


def test_publish_government_plan_sets_evaluation_deadline(world):
    plan = draft_plan(world)
    plan = actions.do_publish(world.user("area_staff"), plan, dt.date(2026, 3, 10))
    assert plan.state == "effective"
    kinds = set(deadlines.for_object(plan).values_list("kind", flat=True))
    assert kinds == {"plans.evaluation"}
    d = deadlines.for_object(plan).get()
    assert d.data["due"] == "2029-03-10"
    assert events(plan, "plans.plan.publish").count() == 1
    with pytest.raises(Conflict):
        actions.do_publish(world.user("area_staff"), plan)


def test_publish_needs_tasks_and_not_future(world):
    plan = draft_plan(world, tasks=[])
    with pytest.raises(ActionError):
        actions.do_publish(world.user("area_staff"), plan)
    plan = draft_plan(world)
    with pytest.raises(ActionError) as err:
        actions.do_publish(world.user("area_staff"), plan, timezone.localdate() + dt.timedelta(days=1))
    assert err.value.field == "published_on"


def enterprise_plan(world, **over):
    ent = world.enterprises["qingcheng"]
    tasks = [
        {
            "level": "4",
            "department": None,
            "organisation": "生产部",
            "role": "处置",
            "text": "切断泄漏源",
            "due_minutes": 10,
        }
    ]
    return draft_plan(
        world,
        by=world.user("enterprise"),
        tasks=tasks,
        **(
            {
                "title": "泄漏现场处置方案",
                "kind": "onsite",
                "owner_level": "enterprise",
                "enterprise": ent,
                "division": ent.division,
                "levels": ["4"],
            }
            | over
        ),
    )


def test_enterprise_plan_filing_drill_and_evaluation_deadlines(world):
    plan = enterprise_plan(world)
    assert plan.high_risk  # hazchem
    plan = actions.do_publish(world.user("enterprise"), plan, dt.date(2026, 9, 25))
    due = {d.kind: d.data["due"] for d in deadlines.for_object(plan)}
    assert due == {
        "plans.filing": "2026-10-29",
        "plans.drill": "2027-03-25",
        "plans.evaluation": "2029-09-25",
    }


def test_filing_recorded_by_area_staff_closes_deadline(world):
    plan = actions.do_publish(world.user("enterprise"), enterprise_plan(world), dt.date(2026, 9, 25))
    with pytest.raises(Forbidden):
        actions.do_record_filing(world.user("enterprise"), plan, dt.date(2026, 10, 9), "清城区应急管理局")
    with pytest.raises(ActionError):
        actions.do_record_filing(world.user("area_staff"), plan, dt.date(2026, 9, 1), "x")
    plan = actions.do_record_filing(world.user("area_staff"), plan, dt.date(2026, 10, 9), "清城区应急管理局")
    assert plan.filed_on == dt.date(2026, 10, 9)
    assert deadlines.for_object(plan).get(kind="plans.filing").met_at is not None
    assert events(plan, "plans.plan.file").count() == 1


def test_drill_moves_drill_deadline(world):
    plan = actions.do_publish(world.user("enterprise"), enterprise_plan(world), dt.date(2026, 3, 1))
    drill = actions.do_record_drill(
        world.user("enterprise"), plan, {"held_on": dt.date(2026, 3, 10), "kind": "full"}
    )
    assert isinstance(drill, Drill)
    plan.refresh_from_db()
    assert plan.last_drilled_on == dt.date(2026, 3, 10)
    rows = deadlines.for_object(plan).filter(kind="plans.drill")
    open_row = rows.get(met_at=None, cancelled_at=None)
    assert open_row.data["due"] == "2026-09-10"
    assert events(plan, "plans.drill.record").count() == 1
    with pytest.raises(ActionError):
        actions.do_record_drill(
            world.user("enterprise"), plan, {"held_on": timezone.localdate() + dt.timedelta(days=2)}
        )


def test_drill_from_rescue_exercise(world):
    from pingan.rescue.models import Exercise

    ex = Exercise.objects.create(
        kind="drill",
        title="化工泄漏演练",
        date=dt.date(2026, 3, 10),
        division=world.towns["qingcheng"],
        participants=30,
    )
    other = Exercise.objects.create(
        kind="drill", title="英德演练", date=dt.date(2026, 3, 10), division=world.towns["yingde"]
    )
    plan = effective_plan(world)
    d = actions.do_record_drill(world.user("area_staff"), plan, {"held_on": ex.date}, ex.pk)
    assert d.exercise_id == ex.pk
    with pytest.raises(ActionError) as err:
        actions.do_record_drill(world.user("area_staff"), plan, {"held_on": ex.date}, other.pk)
    assert err.value.field == "exercise"


def test_evaluate_moves_evaluation_deadline(world):
    plan = actions.do_publish(world.user("area_staff"), draft_plan(world), dt.date(2023, 3, 10))
    plan = actions.do_evaluate(world.user("area_staff"), plan, dt.date(2026, 2, 1), "适用,修订两项任务")
    open_row = deadlines.for_object(plan).get(kind="plans.evaluation", met_at=None, cancelled_at=None)
    assert open_row.data["due"] == "2029-02-01"
    assert events(plan, "plans.plan.evaluate").count() == 1
    with pytest.raises(ActionError):
        actions.do_evaluate(world.user("area_staff"), plan, dt.date(2026, 2, 1), "")


def test_retire_cancels_deadlines(world):
    plan = effective_plan(world)
    with pytest.raises(ActionError):
        actions.do_retire(world.user("area_staff"), plan, "")
    plan = actions.do_retire(world.user("area_staff"), plan, "被新预案替代")
    assert plan.state == "retired"
    assert not deadlines.for_object(plan).filter(met_at=None, cancelled_at=None).exists()
    assert events(plan, "plans.plan.retire").count() == 1


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64


def _zip(members: dict[str, str]) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in members.items():
            z.writestr(name, text)
    return buf.getvalue()


def test_attachment_types_and_size(world):
    plan = draft_plan(world)
    u = world.user("area_staff")
    att = actions.do_attach(u, plan, SimpleUploadedFile("预案.pdf", b"%PDF-1.7 body"))
    assert att.kind == "pdf" and att.size == 13
    actions.do_attach(u, plan, SimpleUploadedFile("a.docx", _zip({"word/document.xml": "<w/>"})))
    actions.do_attach(u, plan, SimpleUploadedFile("a.doc", OLE + "WordDocument".encode("utf-16-le")))
    assert events(plan, "plans.attachment.add").count() == 3
    for name, body, code in [
        ("a.exe", b"MZ", "invalid_type"),
        ("a.pdf", b"<html>", "invalid_type"),
        ("noext", b"%PDF-", "invalid_type"),
        ("a.pdf", b"", "empty"),
        # the content decides, as for hazard cases' attachments (pingan.core.uploads)
        ("a.docx", _zip({"xl/workbook.xml": "<x/>"}), "invalid_type"),  # a spreadsheet renamed
        ("a.docx", b"PK\x03\x04not a zip", "invalid_type"),
        ("a.doc", OLE + "Workbook".encode("utf-16-le"), "invalid_type"),  # an OLE file, not Word
        ("a.docx", b"%PDF-1.7 a pdf", "invalid_type"),  # a real document under the wrong name
    ]:
        with pytest.raises(ActionError) as err:
            actions.do_attach(u, plan, SimpleUploadedFile(name, body))
        assert err.value.code == code
    big = SimpleUploadedFile("big.pdf", b"%PDF-")
    big.size = actions.MAX_ATTACHMENT_BYTES + 1
    with pytest.raises(ActionError) as err:
        actions.do_attach(u, plan, big)
    assert err.value.code == "too_large"


def test_activation_creates_tasks_with_deadlines_and_tells_departments(world):
    a = activation(world, level="4")
    tasks = list(a.tasks.order_by("id"))
    assert [t.text for t in tasks] == ["核实并报告", "出动救援"]  # the Ⅲ task is not at Ⅳ
    for t in tasks:
        d = deadlines.for_object(t).get()
        assert d.kind == "plans.task" and d.due_at == t.due_at
    assert (tasks[0].due_at - a.activated_at) == dt.timedelta(minutes=30)
    assert Message.objects.filter(
        event="plans.activation.activated", recipient__department=world.departments["qc_fire"]
    ).exists()
    e = events(a, "plans.activation.activate").get()
    assert e.after["tasks"] == 2 and e.after["level"] == "4"


def test_activation_at_level_three_adds_the_lower_levels_tasks(world):
    a = activation(world, level="3")
    assert a.tasks.count() == 3


def test_activate_refusals(world):
    plan = effective_plan(world)
    inc = incident(world)
    leader = world.user("duty_leader")
    event = actions.event_of(leader, incident_id=inc.pk)
    with pytest.raises(Forbidden):
        actions.do_activate(world.user("duty_officer"), plan, event, "4")
    with pytest.raises(ActionError) as err:
        actions.do_activate(leader, plan, event, "1")
    assert err.value.field == "level"
    flood = incident(world, subtype="flood_drought", category="natural")
    with pytest.raises(ActionError) as err:
        actions.do_activate(leader, plan, actions.event_of(leader, incident_id=flood.pk), "4")
    assert err.value.code == "no_match"
    actions.do_activate(leader, plan, event, "4")
    with pytest.raises(Conflict):
        actions.do_activate(leader, plan, event, "4")
    closed = incident(world, state="closed")
    with pytest.raises(ActionError) as err:
        actions.do_activate(leader, plan, actions.event_of(leader, incident_id=closed.pk), "4")
    assert err.value.code == "closed"
    with pytest.raises(Http404):
        actions.event_of(world.user("duty_leader", "yingde"), incident_id=inc.pk)
    with pytest.raises(ActionError):
        actions.event_of(leader)


def test_activation_for_an_active_warning(world):
    from pingan.warnings.tests.factories import to_state

    w = to_state(world, "published")
    plan = effective_plan(world, title="防汛预案", event_types=["flood_drought"], levels=["3", "4"])
    leader = world.user("duty_leader")
    event = actions.event_of(leader, warning_id=w.pk)
    assert event["level"] == "3" and event["open"]
    assert plan in actions.matching_plans(leader, event)
    a = actions.do_activate(leader, plan, event, "3")
    assert a.warning_id == w.pk and a.tasks.count() == 3


def test_task_transitions_and_audit(world):
    a = activation(world)
    t_em, t_fire = list(a.tasks.order_by("id"))
    em_staff = world.user("dept_staff")  # 清城区应急管理局
    with pytest.raises(Forbidden):
        actions.do_update_task(em_staff, t_fire, "in_progress")
    t_em = actions.do_update_task(em_staff, t_em, "in_progress", "已出发")
    assert t_em.state == "in_progress" and t_em.started_at
    assert events(t_em, "plans.task.progress").count() == 1
    with pytest.raises(ActionError) as err:
        actions.do_update_task(em_staff, t_em, "done", "")
    assert err.value.field == "feedback"
    with pytest.raises(ActionError):
        actions.do_update_task(em_staff, t_em, "closed", "x")
    t_em = actions.do_update_task(em_staff, t_em, "done", "已核实,已报告")
    assert t_em.state == "done" and t_em.done_at
    assert deadlines.for_object(t_em).get().met_at is not None
    assert events(t_em, "plans.task.done").count() == 1
    with pytest.raises(Conflict):
        actions.do_update_task(em_staff, t_em, "done", "again")


def test_stand_down_closes_open_tasks_then_review(world):
    a = activation(world)
    t_em, t_fire = list(a.tasks.order_by("id"))
    actions.do_update_task(world.user("dept_staff"), t_em, "done", "完成")
    leader = world.user("duty_leader")
    with pytest.raises(Conflict):
        actions.do_review(leader, a, "太早")
    with pytest.raises(Forbidden):
        actions.do_stand_down(world.user("duty_officer"), a, "结束")
    with pytest.raises(ActionError):
        actions.do_stand_down(leader, a, "")
    a = actions.do_stand_down(leader, a, "险情解除")
    t_fire.refresh_from_db()
    assert a.state == "stood_down" and t_fire.state == "closed"
    assert deadlines.for_object(t_fire).get().cancelled_at is not None
    assert events(a, "plans.activation.stand_down").get().after["closed_tasks"] == 1
    with pytest.raises(Conflict):
        actions.do_stand_down(leader, a, "again")
    with pytest.raises(Conflict):
        actions.do_update_task(world.user("rescue_lead"), t_fire, "done", "迟到")
    with pytest.raises(ActionError):
        actions.do_review(leader, a, " ")
    a = actions.do_review(leader, a, "报告时间需缩短")
    assert a.lessons == "报告时间需缩短" and events(a, "plans.activation.review").count() == 1


def test_retire_refused_while_active(world):
    a = activation(world)
    with pytest.raises(Conflict):
        actions.do_retire(world.user("area_staff"), a.plan, "换新")


def test_reminder_goes_to_the_department(world):
    a = activation(world)
    t = a.tasks.order_by("id").first()
    row = deadlines.for_object(t).get()
    actions.remind_deadline(row)
    assert Message.objects.filter(event="plans.task.reminder", recipient__department=t.department).exists()
    plan = actions.do_publish(world.user("enterprise"), enterprise_plan(world), timezone.localdate())
    actions.remind_deadline(Deadline.objects.get(object_id=str(plan.pk), kind="plans.filing"))
    assert Message.objects.filter(event="plans.filing.reminder", recipient=world.user("enterprise")).exists()


def test_activation_without_tasks_at_the_level_is_refused(world):
    tasks = [t for t in tasks_for(world) if t["level"] == "3"]
    plan = actions.do_publish(world.user("area_staff"), draft_plan(world, tasks=tasks), timezone.localdate())
    inc = incident(world)
    leader = world.user("duty_leader")
    with pytest.raises(ActionError) as err:
        actions.do_activate(leader, plan, actions.event_of(leader, incident_id=inc.pk), "4")
    assert err.value.code == "no_tasks"
