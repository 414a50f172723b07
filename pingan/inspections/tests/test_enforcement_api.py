"""The enforcement documents and penalty register through the API (read with scoping and download
links), the hearing (听证) and the late-payment surcharge (加处罚款): rule vectors, the permission
matrix for every role of MATRIX_PEOPLE, each transition with its audit event, bad inputs, and the
lists' query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from pingan.core.actions import ActionError, Conflict
from pingan.core.models import AuditEvent
from pingan.core.testing import MATRIX_PEOPLE
from pingan.inspections import actions, rules
from pingan.inspections.models import EnforcementDocument, Penalty

from .factories import drawn_plan, registers, the_inspection

pytestmark = pytest.mark.django_db

ROLES = MATRIX_PEOPLE + [(None, None)]
IDS = [f"{r}-{a}" for r, a in ROLES]
SEES_QC = {
    ("city_admin", "city"),
    ("dept_staff", "qingcheng"),
    ("area_staff", "qingcheng"),
    ("grid_worker", "qingcheng"),
    ("inspector", "qingcheng"),
    ("duty_officer", "qingcheng"),
    ("duty_leader", "qingcheng"),
    ("rescue_lead", "qingcheng"),
    ("integration", "city"),
    ("enterprise", "qingcheng"),  # the party, once the inspection is revealed
}
# Who may read documents and penalties at all: the console's people (not the grid worker) and the party.
READERS = {
    ("city_admin", "city"),
    ("dept_staff", "qingcheng"),
    ("area_staff", "qingcheng"),
    ("inspector", "qingcheng"),
    ("duty_officer", "qingcheng"),
    ("duty_leader", "qingcheng"),
    ("rescue_lead", "qingcheng"),
    ("integration", "city"),
    ("enterprise", "qingcheng"),
    ("area_staff", "yingde"),
    ("dept_staff", "yingde"),
}
# The penalising department's office (and city administrators) decide, hold hearings, record payment.
OFFICE = {("city_admin", "city"), ("dept_staff", "qingcheng")}


def client_for(world, role, area):
    c = APIClient()
    if role is not None:
        c.force_authenticate(world.user(role, area))
    return c


@pytest.fixture
def started(world):
    reg = registers(world)
    inspection = the_inspection(drawn_plan(world))
    inspector = world.user("inspector")
    actions.do_start(inspector, inspection, representative="王经理")
    actions.do_add_finding(
        inspector,
        inspection,
        item=reg["major_item"],
        description="动火作业前未进行气体分析",
        rectify_by=timezone.localdate() + dt.timedelta(days=10),
    )
    inspection.refresh_from_db()
    return inspection


def penalty_on(world, inspection, amount="10000"):
    return actions.do_notify_penalty(
        world.user("dept_staff"),
        inspection,
        facts="动火作业前未进行气体分析。",
        basis="《中华人民共和国安全生产法》第一百零一条",
        amount=amount,
    )


def events(obj, action):
    return AuditEvent.objects.filter(action=action, object_id=str(obj.pk))


# --- Rules ---------------------------------------------------------------------------------------------
def test_surcharge_and_hearing_vectors():
    assert rules.PENALTY_RULE["source"] and "§72" in rules.PENALTY_RULE["source"]
    pay_by = dt.date(2026, 3, 17)
    # Not late: nothing; 1 day late: 3 %; 10 days: 30 %; 40 days: capped at the fine itself.
    assert rules.late_surcharge("10000", pay_by, pay_by) == Decimal("0.00")
    assert rules.late_surcharge("10000", pay_by, dt.date(2026, 3, 18)) == Decimal("300.00")
    assert rules.late_surcharge("10000", pay_by, dt.date(2026, 3, 27)) == Decimal("3000.00")
    assert rules.late_surcharge("10000", pay_by, dt.date(2026, 4, 26)) == Decimal("10000.00")
    assert rules.late_surcharge("333.33", pay_by, dt.date(2026, 3, 18)) == Decimal("10.00")
    assert rules.late_surcharge("10000", None, dt.date(2026, 4, 26)) == Decimal("0.00")
    assert rules.days_late(pay_by, dt.date(2026, 3, 20)) == 3
    with pytest.raises(rules.RuleError):
        rules.late_surcharge("abc", pay_by, pay_by)
    notified = dt.date(2026, 3, 2)
    assert rules.hearing_request_open(notified, dt.date(2026, 3, 7))
    assert not rules.hearing_request_open(notified, dt.date(2026, 3, 8))
    assert rules.earliest_hearing(dt.date(2026, 3, 9)) == dt.date(2026, 3, 16)
    with pytest.raises(rules.RuleError) as exc:
        rules.check_hearing_date(dt.date(2026, 3, 15), dt.date(2026, 3, 9))
    assert exc.value.field == "hearing_on" and exc.value.code == "too_early"
    with pytest.raises(rules.RuleError):
        rules.check_hearing_date("2026-03-20", dt.date(2026, 3, 9))


# --- Reads: documents and penalties ----------------------------------------------------------------------
@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_documents_and_penalties_read_matrix(world, started, role, area):
    doc = actions.do_issue_document(world.user("inspector"), started, "site_record")
    penalty = penalty_on(world, started)
    c = client_for(world, role, area)
    sees, reads = (role, area) in SEES_QC, (role, area) in READERS
    for base, obj in (("/api/v1/enforcement-documents/", doc), ("/api/v1/penalties/", penalty)):
        r = c.get(base)
        if role is None:
            assert r.status_code in (401, 403)
            continue
        assert r.status_code == (200 if reads else 403), (base, r.content)
        if reads:
            assert (obj.pk in [row["id"] for row in r.json()["results"]]) == sees
        r = c.get(f"{base}{obj.pk}/")
        assert r.status_code == (404 if not sees else 200 if reads else 403)
    if reads and sees:
        body = c.get(f"/api/v1/enforcement-documents/{doc.pk}/").json()
        assert body["number"] == doc.number and body["downloads"]["pdf"].endswith(f"/{doc.pk}.pdf")
        body = c.get(f"/api/v1/penalties/{penalty.pk}/").json()
        assert body["amount"] == "10000.00" and body["state"] == "notified"
        assert [d["kind"] for d in body["documents"]] == ["penalty_notice"]
        assert body["documents"][0]["downloads"]["docx"].endswith(".docx")
        # The download link opens for whoever reads the document (the party too).
        web = Client()
        web.force_login(world.user(role, area))
        assert web.get(body["documents"][0]["downloads"]["docx"]).status_code == 200


def test_hidden_inspection_documents_stay_hidden_from_the_target(world):
    registers(world)
    plan = drawn_plan(world, mode="covert", seed="covert")
    inspection = the_inspection(plan)
    office = client_for(world, "dept_staff", "qingcheng")
    target = client_for(world, "enterprise", "qingcheng")
    assert office.get(f"/api/v1/enforcement-documents/?inspection={inspection.pk}").status_code == 200
    actions.do_start(world.user("inspector"), inspection)
    doc = actions.do_issue_document(world.user("inspector"), inspection, "site_record")
    assert target.get(f"/api/v1/enforcement-documents/{doc.pk}/").status_code == 200


def test_filters_and_bad_parameters(world, started):
    doc = actions.do_issue_document(world.user("inspector"), started, "site_record")
    penalty = penalty_on(world, started)
    c = client_for(world, "dept_staff", "qingcheng")
    r = c.get(f"/api/v1/enforcement-documents/?inspection={started.pk}&kind=site_record")
    assert [row["id"] for row in r.json()["results"]] == [doc.pk]
    assert c.get("/api/v1/enforcement-documents/?kind=penalty_decision").json()["results"] == []
    assert c.get("/api/v1/penalties/?state=paid").json()["results"] == []
    assert [row["id"] for row in c.get("/api/v1/penalties/?state=notified").json()["results"]] == [penalty.pk]
    for url, field in (
        ("/api/v1/enforcement-documents/?inspection=abc", "inspection"),
        ("/api/v1/enforcement-documents/?kind=letter", "kind"),
        ("/api/v1/penalties/?state=forgiven", "state"),
        ("/api/v1/penalties/?inspection=-1", "inspection"),
    ):
        r = c.get(url)
        assert r.status_code == 400 and r.json()["errors"][0]["field"] == field, url


def test_lists_constant_in_queries(world, started, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    inspector = world.user("inspector")
    c = client_for(world, "dept_staff", "qingcheng")
    actions.do_issue_document(inspector, started, "site_record")
    penalty_on(world, started)
    counts = {}
    for url in ("/api/v1/enforcement-documents/", "/api/v1/penalties/"):
        with CaptureQueriesContext(connection) as one:
            assert c.get(url).status_code == 200
        counts[url] = len(one.captured_queries)
    actions.do_issue_document(inspector, started, "rectify_order")
    for n in range(4):
        penalty_on(world, started, amount=str(100 + n))
    for url, n in counts.items():
        with django_assert_max_num_queries(n):
            assert len(c.get(url).json()["results"]) >= 2


# --- Hearing, decision, payment: the matrix ------------------------------------------------------------
@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_penalty_acts_matrix(world, started, role, area):
    office = world.user("dept_staff")
    today = timezone.localdate()
    fresh = penalty_on(world, started)
    waiting = penalty_on(world, started)
    actions.do_request_hearing(office, waiting)
    due = penalty_on(world, started)
    actions.do_request_hearing(office, due)
    Penalty.objects.filter(pk=due.pk).update(hearing_on=today, hearing_place="会议室")
    ripe = penalty_on(world, started)
    Penalty.objects.filter(pk=ripe.pk).update(notified_at=timezone.now() - dt.timedelta(days=7))
    decided = penalty_on(world, started)
    Penalty.objects.filter(pk=decided.pk).update(notified_at=timezone.now() - dt.timedelta(days=7))
    actions.do_decide_penalty(office, Penalty.objects.get(pk=decided.pk))

    c = client_for(world, role, area)
    sees = (role, area) in SEES_QC
    ops = [
        (fresh, "hearing-request", {}, OFFICE | {("enterprise", "qingcheng")}, "hearing"),
        (
            waiting,
            "hearing-schedule",
            {"hearing_on": str(today + dt.timedelta(days=8)), "place": "三楼"},
            OFFICE,
            "hearing",
        ),
        (due, "hearing-record", {"note": "当事人陈述已听取"}, OFFICE, "notified"),
        (ripe, "decide", {}, OFFICE, "decided"),
        (decided, "pay", {}, OFFICE, "paid"),
    ]
    for penalty, verb, payload, allowed, state in ops:
        r = c.post(f"/api/v1/penalties/{penalty.pk}/{verb}/", payload, format="json")
        if role is None:
            assert r.status_code in (401, 403)
        elif not sees:
            assert r.status_code == 404, (verb, r.status_code)
        elif (role, area) in allowed:
            assert r.status_code == 200, (verb, r.content)
            assert r.json()["state"] == state
        else:
            assert r.status_code == 403, (verb, r.status_code)


# --- Transitions and their audit events ------------------------------------------------------------------
def test_hearing_flow_then_decision_and_late_payment(world, started):
    from pingan.notify.models import Message

    office = world.user("dept_staff")
    party = world.user("enterprise")
    penalty = penalty_on(world, started)
    c = client_for(world, "enterprise", "qingcheng")
    r = c.post(f"/api/v1/penalties/{penalty.pk}/hearing-request/", {}, format="json")
    assert r.status_code == 200 and r.json()["hearing_requested_at"]
    assert events(penalty, "inspections.penalty.hearing_request").get().actor == party
    assert Message.objects.filter(recipient=office, event="inspections.penalty.hearing_requested").exists()
    # Twice: conflict; the decision waits for the hearing.
    assert c.post(f"/api/v1/penalties/{penalty.pk}/hearing-request/", {}, format="json").status_code == 409
    Penalty.objects.filter(pk=penalty.pk).update(notified_at=timezone.now() - dt.timedelta(days=7))
    with pytest.raises(Conflict) as exc:
        actions.do_decide_penalty(office, Penalty.objects.get(pk=penalty.pk))
    assert exc.value.code == "hearing"
    with pytest.raises(Conflict):  # not scheduled yet
        actions.do_record_hearing(office, Penalty.objects.get(pk=penalty.pk), note="x")

    o = client_for(world, "dept_staff", "qingcheng")
    url = f"/api/v1/penalties/{penalty.pk}/"
    today = timezone.localdate()
    r = o.post(
        f"{url}hearing-schedule/",
        {"hearing_on": str(today + dt.timedelta(days=3)), "place": "x"},
        format="json",
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "hearing_on"
    r = o.post(
        f"{url}hearing-schedule/",
        {"hearing_on": str(today + dt.timedelta(days=7)), "place": " "},
        format="json",
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "place"
    r = o.post(f"{url}hearing-schedule/", {"hearing_on": "2026-02-30", "place": "x"}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "hearing_on"
    r = o.post(
        f"{url}hearing-schedule/",
        {"hearing_on": str(today + dt.timedelta(days=7)), "place": "局三楼听证室"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["hearing_place"] == "局三楼听证室"
    assert events(penalty, "inspections.penalty.hearing_schedule").count() == 1
    assert Message.objects.filter(recipient=party, event="inspections.penalty.hearing_scheduled").exists()
    r = o.post(f"{url}hearing-record/", {"note": "听取陈述申辩"}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "too_early"
    Penalty.objects.filter(pk=penalty.pk).update(hearing_on=today)
    r = o.post(f"{url}hearing-record/", {"note": ""}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "note"
    r = o.post(f"{url}hearing-record/", {"note": "听取陈述申辩,维持原处罚意见"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "notified" and r.json()["heard_at"]
    assert events(penalty, "inspections.penalty.hearing_record").count() == 1
    # The party cannot ask again after the hearing.
    assert c.post(f"{url}hearing-request/", {}, format="json").status_code == 409

    r = o.post(f"{url}decide/", {}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "decided"
    assert r.json()["surcharge_due"] == "0.00" and r.json()["days_late"] == 0
    # Ten days late: 3 % a day of 10 000 → 3 000 owed, fixed when the payment is recorded.
    Penalty.objects.filter(pk=penalty.pk).update(pay_by=today - dt.timedelta(days=10))
    body = o.get(url).json()
    assert body["days_late"] == 10 and body["surcharge_due"] == "3000.00"
    r = o.post(f"{url}pay/", {}, format="json")
    assert r.status_code == 200 and r.json()["surcharge"] == "3000.00" and r.json()["state"] == "paid"
    assert events(penalty, "inspections.penalty.pay").get().after["surcharge"] == "3000.00"
    assert o.post(f"{url}pay/", {}, format="json").status_code == 409


def test_hearing_request_too_late(world, started):
    penalty = penalty_on(world, started)
    Penalty.objects.filter(pk=penalty.pk).update(notified_at=timezone.now() - dt.timedelta(days=6))
    with pytest.raises(ActionError) as exc:
        actions.do_request_hearing(world.user("enterprise"), Penalty.objects.get(pk=penalty.pk))
    assert exc.value.code == "too_late"
    assert not events(penalty, "inspections.penalty.hearing_request").exists()


def test_console_hearing_buttons_offered_to_the_office_only(world, started):
    penalty = penalty_on(world, started)
    office, inspector = Client(), Client()
    office.force_login(world.user("dept_staff"))
    inspector.force_login(world.user("inspector"))
    page = f"/console/inspections/{started.pk}/"
    assert 'data-testid="hearing-request"' in office.get(page).content.decode()
    assert 'data-testid="hearing-request"' not in inspector.get(page).content.decode()
    assert inspector.post(f"/console/inspections/penalties/{penalty.pk}/hearing-request/").status_code == 403
    office.post(f"/console/inspections/penalties/{penalty.pk}/hearing-request/")
    assert 'data-testid="hearing-schedule"' in office.get(page).content.decode()
    r = office.post(
        f"/console/inspections/penalties/{penalty.pk}/hearing-schedule/",
        {"hearing_on": "2026-02-30", "place": "x"},
    )
    assert r.status_code == 302 and Penalty.objects.get(pk=penalty.pk).hearing_on is None
    day = timezone.localdate() + dt.timedelta(days=9)
    office.post(
        f"/console/inspections/penalties/{penalty.pk}/hearing-schedule/",
        {"hearing_on": str(day), "place": "听证室"},
    )
    assert Penalty.objects.get(pk=penalty.pk).hearing_on == day
    assert EnforcementDocument.objects.filter(penalty=penalty).count() == 1


# --- Done when (#13): the result on the portal within 20 working days, with a Deadline that warns ---------
def test_publication_deadline_vector_warns_before_and_after_then_portal_without_personal_data(world):
    import time_machine

    from pingan.core import deadlines, workcal
    from pingan.core.models import Deadline
    from pingan.notify.models import Message

    registers(world)
    inspection = the_inspection(drawn_plan(world))
    inspector, office = world.user("inspector"), world.user("dept_staff")
    c = client_for(world, "inspector", "qingcheng")
    # Ends on Friday 2025-09-26: National Day and 中秋 skipped, the adjusted Saturday 2025-10-11
    # counted → published by 2025-10-30 (docs/domain/06-random-inspection.md).
    with time_machine.travel(dt.datetime(2025, 9, 26, 10, 0, tzinfo=workcal.TZ), tick=False):
        c.post(f"/api/v1/inspections/{inspection.pk}/start/", {"representative": "代表李四"}, format="json")
        r = c.post(f"/api/v1/inspections/{inspection.pk}/finish/", {}, format="json")
    assert r.status_code == 200 and r.json()["publish_by"] == "2025-10-30"
    row = Deadline.objects.get(kind=actions.PUBLISH_KIND, object_id=str(inspection.pk))
    assert timezone.localtime(row.due_at).date() == dt.date(2025, 10, 30) and row.remind_at < row.due_at
    deadlines.reconcile(dt.datetime(2025, 10, 27, 9, 0, tzinfo=workcal.TZ))
    assert Message.objects.filter(recipient=office, event="inspections.publish.remind").exists()
    assert not Message.objects.filter(event="inspections.publish.overdue").exists()
    deadlines.reconcile(dt.datetime(2025, 10, 31, 9, 0, tzinfo=workcal.TZ))
    assert Message.objects.filter(recipient=office, event="inspections.publish.overdue").exists()
    r = client_for(world, "dept_staff", "qingcheng").post(
        f"/api/v1/inspections/{inspection.pk}/publish/", {}, format="json"
    )
    assert r.status_code == 200
    row.refresh_from_db()
    assert row.met_at is not None
    page = Client().get("/inspections/results/").content.decode()
    assert world.enterprises["qingcheng"].name in page
    for private in ("代表李四", inspector.display_name, "qingcheng_inspector2"):
        assert private not in page


# --- Today's special work on a map (inspectors' spot checks) ----------------------------------------------
def _permit(world, start):
    account = world.user("enterprise")
    return actions.do_apply_permit(
        account,
        account.enterprise,
        work_type="hot_work",
        grade="second",
        location="储罐区管廊",
        work="法兰焊接",
        applicant="甲",
        guardian="乙",
        measures=["清除可燃物"],
        valid_from=start,
        valid_until=start + dt.timedelta(hours=8),
        gas_analyses=[{"sampled_at": start - dt.timedelta(minutes=10), "lel": "5", "concentration": "0.1"}],
    )


def test_permits_map_of_the_work_going_on(world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ent = world.enterprises["qingcheng"]
    ent.lat, ent.lon = 23.7, 113.05
    ent.save(update_fields=["lat", "lon"])
    now = timezone.now().replace(microsecond=0)
    _permit(world, now + dt.timedelta(minutes=5))
    url = "/console/inspections/permits/now.geojson"
    later = (now + dt.timedelta(hours=1)).isoformat()
    office, other = Client(), Client()
    office.force_login(world.user("dept_staff"))
    other.force_login(world.user("dept_staff", "yingde"))
    assert office.get(url).json()["features"] == []  # not started yet
    feats = office.get(url, {"at": later}).json()["features"]
    assert len(feats) == 1 and feats[0]["geometry"]["coordinates"] == [113.05, 23.7]
    assert other.get(url, {"at": later}).json()["features"] == []  # another district's work
    for bad in ("soon", "2026-02-30T10:00"):
        r = office.get(url, {"at": bad})
        assert r.status_code == 400 and r.json()["errors"][0]["field"] == "at"
    grid = Client()
    grid.force_login(world.user("grid_worker"))
    assert grid.get(url).status_code == 403
    assert 'data-testid="permits-map"' in office.get("/console/inspections/permits/").content.decode()
    with CaptureQueriesContext(connection) as one:
        office.get(url, {"at": later})
    for n in range(4):
        _permit(world, now + dt.timedelta(minutes=6 + n))
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(office.get(url, {"at": later}).json()["features"]) == 5
