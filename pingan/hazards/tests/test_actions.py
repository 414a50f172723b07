"""The lifecycle through the actions layer: guards, audit, deadlines, notifications, routing,
idempotency, duplicates and merge, joint handling, conflicts, feedback."""

import io
import threading

import pytest
from django.db import connection
from PIL import Image

from pingan.core.actions import ActionError, Conflict, Forbidden
from pingan.core.models import AuditEvent, Deadline
from pingan.hazards import actions
from pingan.hazards.choices import State, TaskState
from pingan.hazards.models import Category, HazardCase, RoutingRule, Subscription
from pingan.notify.models import Message
from pingan.org.choices import DepartmentKind, Sector
from pingan.org.models import Department, Site

from .factories import PLAN, jpeg_with_gps, lead_person, major_ready, submit, to_state

pytestmark = pytest.mark.django_db


def test_main_path_writes_audit_and_deadlines(world):
    case = submit(world)
    assert Deadline.objects.filter(kind="hazards.register", object_id=str(case.pk), met_at=None).exists()
    assert Message.objects.filter(
        recipient=world.user("dept_staff", "city"), event="hazards.case.submitted"
    ).exists()
    case = to_state(world, case, "assigned")
    # fire_exit inherits the fire rule: lead = district fire brigade, co = the district government sector…
    assert case.lead_department == world.departments["qc_fire"]
    assert case.assigned_at and case.due_at
    assert Deadline.objects.filter(
        kind="hazards.rectify", object_id=str(case.pk), met_at=None, department=world.departments["qc_fire"]
    ).exists()
    assert Deadline.objects.get(kind="hazards.register", object_id=str(case.pk)).met_at is not None
    case = to_state(world, case, "closed")
    assert case.state == State.CLOSED and case.closed_at and case.due_at is None
    assert not Deadline.objects.filter(
        object_id=str(case.pk), met_at=None, cancelled_at=None, kind__startswith="hazards."
    ).exists()
    actions_done = list(
        AuditEvent.objects.for_object(case).order_by("at", "id").values_list("action", flat=True)
    )
    assert actions_done == [
        "hazards.case.submit",
        "hazards.case.register",
        "hazards.case.assign",
        "hazards.case.start",
        "hazards.case.submit_rectification",
        "hazards.case.accept",
    ]


def test_general_fixed_on_the_spot_is_closed_without_report(world):
    case = submit(world)
    case = actions.do_close_on_spot(world.user("dept_staff", "city"), case, note="当场清理")
    assert case.state == State.CLOSED and case.fixed_on_spot
    assert not hasattr(case, "regulator_report") or not type(case).regulator_report.RelatedObjectDoesNotExist


def test_major_cannot_close_without_plan_and_report(world):
    dispatcher = world.user("dept_staff", "city")
    case = submit(world, category="hazchem")
    case = actions.do_register(dispatcher, case, grade="major")
    for attempt in (
        lambda: actions.do_close_on_spot(dispatcher, case, note="x"),
        lambda: actions.do_assign(dispatcher, case),
    ):
        with pytest.raises(ActionError) as err:
            attempt()
        assert err.value.code in ("major_not_on_spot", "major_needs_report")
    with pytest.raises(ActionError) as err:
        actions.do_report(dispatcher, case, current_state_cause="a", harm_difficulty="b")
    assert err.value.code == "major_needs_plan"  # the report carries the plan
    with pytest.raises(ActionError) as err:
        actions.do_save_plan(dispatcher, case, {**PLAN, "methods": ""})
    assert err.value.field == "methods"
    actions.do_save_plan(dispatcher, case, PLAN)
    case = actions.do_report(dispatcher, case, current_state_cause="a", harm_difficulty="b")
    assert case.state == State.REPORTED
    assert case.regulator_report.authority == world.departments["qc_em"]
    with pytest.raises(ActionError):
        actions.do_assign(dispatcher, case)  # plan not yet approved (and state reported)
    case = actions.do_approve_plan(dispatcher, case)
    case = actions.do_assign(dispatcher, case)
    # The enterprise-less hazchem case goes by the area rule: district emergency bureau, fire co-handles.
    assert case.lead_department == world.departments["qc_em"]
    # The plan's own completion date is the rectification deadline.
    assert case.due_at.date().isoformat() == "2027-01-31"


def test_listed_supervision_requires_resume_review_before_closing(world):
    dispatcher = world.user("dept_staff", "city")
    case = major_ready(world)
    case = actions.do_list_supervision(dispatcher, case, authority="清远市安委办")
    case = actions.do_assign(dispatcher, case, co=[])
    lead = lead_person(world, case)
    case = actions.do_start(lead, case)
    actions.do_apply_resume(lead, case, content="已完成治理,申请恢复生产")
    assert Deadline.objects.filter(kind="hazards.resume_review", met_at=None).exists()
    case = actions.do_submit_rectification(lead, case, note="治理完成")
    checker = world.user("area_staff")
    with pytest.raises(ActionError) as err:
        actions.do_accept(checker, case)
    assert err.value.code == "listed_needs_resume_review"
    actions.do_review_resume(dispatcher, case, approve=True, note="现场审查合格")
    case = actions.do_accept(checker, case)
    assert case.state == State.CLOSED


def test_general_cannot_be_reported_or_planned(world):
    case = to_state(world, submit(world), "registered")
    with pytest.raises(ActionError) as err:
        actions.do_save_plan(world.user("dept_staff", "city"), case, PLAN)
    assert err.value.code == "general_no_plan"


def test_stale_object_second_transition_gets_conflict(world):
    dispatcher = world.user("dept_staff", "city")
    case = submit(world)
    stale = HazardCase.objects.get(pk=case.pk)
    actions.do_register(dispatcher, case)
    with pytest.raises(Conflict) as err:
        actions.do_decline(dispatcher, stale, reason="重复")
    assert err.value.status == 409 and err.value.field == "state"
    with pytest.raises(Conflict):
        actions.do_register(dispatcher, stale)
    assert HazardCase.objects.get(pk=case.pk).state == State.REGISTERED


@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_one_winner(world):
    """Two threads transition the same case: one wins, the other gets a Conflict (row lock + state check)."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers at BEGIN IMMEDIATE; the stale-object test covers it")
    from pingan.hazards.defaults import ensure_defaults

    ensure_defaults()  # a transactional test may follow another's flush, which empties the categories
    dispatcher = world.user("dept_staff", "city")
    case = submit(world)
    results = []
    barrier = threading.Barrier(2)

    def run(fn):
        from django.db import connection as conn

        try:
            barrier.wait()
            fn()
            results.append("ok")
        except Conflict:
            results.append("conflict")
        finally:
            conn.close()

    a = threading.Thread(target=run, args=(lambda: actions.do_register(dispatcher, case),))
    b = threading.Thread(target=run, args=(lambda: actions.do_decline(dispatcher, case, reason="重复"),))
    a.start()
    b.start()
    a.join()
    b.join()  # noqa: E702
    assert sorted(results) == ["conflict", "ok"]


def test_idempotent_intake_per_reporter_and_channel(world):
    grid = world.user("grid_worker")
    a = submit(world, reporter=grid, client_token="tok-1")
    b = submit(world, reporter=grid, client_token="tok-1")
    assert a.pk == b.pk
    other = submit(world, reporter=world.user("area_staff"), client_token="tok-1")
    assert other.pk != a.pk  # another reporter's token is another submission
    assert HazardCase.objects.count() == 2


def test_duplicates_and_merge_keep_reporters_subscribed(world):
    citizen = world.user("public", "city")
    first = submit(world, reporter=citizen, source="public", lat=23.7, lon=113.05)
    second = submit(world, reporter=world.user("grid_worker"), lat=23.7004, lon=113.0502)
    far = submit(world, lat=23.71, lon=113.06)
    other_cat = submit(world, category="gas", lat=23.7001, lon=113.05)
    dups = actions.find_duplicates(
        category=second.category, lat=second.lat, lon=second.lon, exclude=second.pk
    )
    assert [c.pk for c, _d in dups] == [first.pk]
    assert far.pk not in [c.pk for c, _d in dups] and other_cat.pk not in [c.pk for c, _d in dups]
    dispatcher = world.user("dept_staff", "city")
    merged = actions.do_merge(dispatcher, first, into=second)
    assert merged.state == State.MERGED and merged.merged_into_id == second.pk
    assert Subscription.objects.filter(case=second, user=citizen).exists()
    assert Subscription.objects.filter(case=second, user=world.user("grid_worker")).exists()
    with pytest.raises(ActionError):
        actions.do_merge(dispatcher, far, into=far)


def test_routing_enterprise_and_site_supervisor_win(world):
    dispatcher = world.user("dept_staff", "city")
    ent = world.enterprises["qingcheng"]  # supervised by qc_em
    case = submit(world, category="fire_exit", enterprise=ent)
    lead, co, why = actions.route_case(case)
    assert lead == world.departments["qc_em"] and why == "enterprise"
    assert world.departments["qc_fire"] in co  # the area rule's lead joins as co-handler
    site = Site.objects.create(
        enterprise=ent,
        name="一号仓库",
        division=world.towns["qingcheng"],
        supervising_department=world.departments["qc_fire"],
    )
    case2 = submit(world, category="hazchem", site=site)
    lead, co, why = actions.route_case(case2)
    assert lead == world.departments["qc_fire"] and why == "site"
    # An edited rule changes routing; a town-level rule resolves in the town.
    rule = RoutingRule.objects.get(category__code="other")
    assert rule.level == "town"
    case3 = submit(world, category="other")
    lead, _co, _why = actions.route_case(case3)
    assert lead == world.departments["qc_town"]
    RoutingRule.objects.filter(category__code="fire").update(lead_sector=Sector.HOUSING, level="city")
    case4 = submit(world, category="fire_exit", area="yingde")
    lead, _co, _why = actions.route_case(case4)
    assert lead == world.departments["city_housing"]  # no district housing bureau: the nearest above
    assert actions.do_assign(dispatcher, actions.do_register(dispatcher, case4)).lead_department == lead


def test_return_goes_back_to_dispatch_and_reassign(world):
    dispatcher = world.user("dept_staff", "city")
    case = to_state(world, submit(world), "assigned")
    lead = lead_person(world, case)
    with pytest.raises(ActionError) as err:
        actions.do_return(lead, case, reason="")
    assert err.value.field == "reason"
    case = actions.do_return(lead, case, reason="不属于消防职责")
    assert case.state == State.RETURNED
    assert Message.objects.filter(recipient=dispatcher, event="hazards.case.returned").exists()
    assert Deadline.objects.filter(
        kind="hazards.register",
        object_id=str(case.pk),
        met_at=None,
        department=world.departments["city_dispatch"],
    ).exists()
    case = actions.do_reassign(dispatcher, case, lead=world.departments["qc_town"], reason="属地街道处理")
    assert case.state == State.ASSIGNED and case.lead_department == world.departments["qc_town"]


def test_joint_handling_co_handler_must_finish_first(world):
    dispatcher = world.user("dept_staff", "city")
    case = to_state(world, submit(world), "registered")
    case = actions.do_assign(
        dispatcher, case, lead=world.departments["qc_fire"], co=[world.departments["qc_town"]]
    )
    tasks = {t.department_id: t for t in case.tasks.all()}
    assert tasks[world.departments["qc_town"].pk].role == "co"
    assert Deadline.objects.filter(kind="hazards.cotask", department=world.departments["qc_town"]).exists()
    fire = lead_person(world, case)
    case = actions.do_start(fire, case)
    with pytest.raises(ActionError) as err:
        actions.do_submit_rectification(fire, case, note="done")
    assert err.value.code == "co_tasks_open"
    town_person = world.user("area_staff")  # qingcheng_area belongs to qc_town
    with pytest.raises(Forbidden):
        actions.do_submit_rectification(town_person, case, note="not mine to submit")
    actions.do_update_task(town_person, case, state=TaskState.DONE, note="街道已清理楼道")
    case = actions.do_submit_rectification(fire, case, note="done")
    assert case.state == State.AWAITING_ACCEPTANCE
    # The lead may not accept its own work; the area checks it.
    with pytest.raises(Forbidden):
        actions.do_accept(fire, case)
    case = actions.do_reject(world.user("grid_worker"), case, reason="仍有杂物")
    assert case.state == State.RECTIFYING
    assert (
        Deadline.objects.filter(
            kind="hazards.rectify", object_id=str(case.pk), met_at=None, cancelled_at=None
        ).count()
        == 1
    )


def test_feedback_not_fixed_reopens(world):
    citizen = world.user("public", "city")
    case = to_state(world, submit(world, reporter=citizen, source="public"), "closed")
    assert Message.objects.filter(recipient=citizen, event="hazards.case.public_update").exists()
    with pytest.raises(ActionError) as err:
        actions.do_feedback(None, case, answer="not_fixed", note="")
    assert err.value.field == "note"
    actions.do_feedback(None, case, answer="not_fixed", note="杂物又堆回来了")
    case.refresh_from_db()
    assert case.state == State.RECTIFYING and case.reopened_count == 1
    assert AuditEvent.objects.for_object(case).filter(
        action="hazards.case.reopen", note__contains="杂物又堆回来了"
    )
    with pytest.raises(Conflict):
        actions.do_feedback(None, case, answer="fixed")


def test_decline_backlog_and_resume(world):
    dispatcher = world.user("dept_staff", "city")
    d = actions.do_decline(dispatcher, submit(world), reason="不属于安全隐患")
    assert d.state == State.DECLINED and d.public_note
    case = to_state(world, submit(world), "rectifying")
    case = actions.do_backlog(dispatcher, case, reason="需市级统筹资金")
    assert case.state == State.BACKLOG and case.due_at is None
    case = actions.do_resume_backlog(dispatcher, case)
    assert case.state == State.RECTIFYING and case.due_at


def test_only_dispatch_registers(world):
    case = submit(world)
    with pytest.raises(Forbidden):
        actions.do_register(world.user("dept_staff"), case)
    with pytest.raises(Forbidden):
        actions.do_register(world.user("grid_worker"), case)


def test_photo_with_gps_is_stripped_for_public_copy(world):
    case = submit(world, photos=[jpeg_with_gps()])
    photo = case.photos.get()
    with photo.original.open("rb") as f:
        original = Image.open(io.BytesIO(f.read()))
        assert original.getexif().get_ifd(0x8825)  # the original keeps its GPS (staff only)
    with photo.public_copy.open("rb") as f:
        data = f.read()
    public = Image.open(io.BytesIO(data))
    assert public.format == "JPEG"
    assert not public.getexif()
    assert b"Exif" not in data and b"PhoneMaker" not in data


def test_photo_validation_by_content_and_size(world, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.jpg", b"GIF89a" + b"\x00" * 100, content_type="image/jpeg")
    with pytest.raises(ActionError) as err:
        submit(world, photos=[fake])
    assert err.value.code == "bad_type" and err.value.field == "photos"
    broken = SimpleUploadedFile("y.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    with pytest.raises(ActionError) as err:
        submit(world, photos=[broken])
    assert err.value.code == "bad_image"
    settings.HAZARDS_PHOTO_MAX_BYTES = 100
    with pytest.raises(ActionError) as err:
        submit(world, photos=[jpeg_with_gps()])
    assert err.value.code == "too_large"
    assert HazardCase.objects.count() == 0  # all-or-nothing


def test_dispatch_centre_lookup(world):
    assert actions.dispatch_centre_for(world.towns["yingde"]) == world.departments["city_dispatch"]
    local = Department.objects.create(
        code="441881-dispatch",
        name="英德市受理中心",
        sector=Sector.DISPATCH,
        kind=DepartmentKind.CENTRE,
        division=world.districts["yingde"],
    )
    assert actions.dispatch_centre_for(world.towns["yingde"]) == local
    assert Category.objects.filter(code="fire").exists()
