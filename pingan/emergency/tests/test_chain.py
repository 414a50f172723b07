import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from pingan.core import deadlines
from pingan.core.actions import ActionError, Conflict, Forbidden
from pingan.core.models import AuditEvent, Deadline
from pingan.emergency import actions, services
from pingan.emergency.choices import ReportState
from pingan.emergency.models import GradeChange, Incident
from pingan.notify.models import Message

pytestmark = pytest.mark.django_db
BJ = dt.timezone(dt.timedelta(hours=8))


def record(world, who=("duty_officer", "yingde"), **kw):
    data = {
        "title": "英德测试建材厂坍塌",
        "category": "accident",
        "subtype": "workplace",
        "occurred_at": timezone.now() - dt.timedelta(minutes=40),
        "division": world.towns["yingde"],
        "unit_name": "英德测试建材有限公司",
        "unit_overview": "建材企业,从业120人",
        "place": "英城街道",
        "scene": "厂房局部坍塌",
        "course": "上午作业时厂房局部坍塌",
        "measures": "已组织救援",
        "deaths": 2,
        "serious_injuries": 1,
        "direct_loss": "1200000",
    }
    data.update(kw)
    return actions.do_record_incident(world.user(*who), data)


def test_yingde_general_accident_creates_report_to_city(world, duty):
    incident = record(world)
    assert incident.grade == "general"
    hops = list(incident.reports.order_by("id"))
    assert [(r.sender_level, r.receiver_level, r.state) for r in hops] == [
        ("unit", "county", "sent"),
        ("county", "city", "due"),
    ]
    to_city = hops[1]
    assert to_city.sender.department == world.departments["yd_em"]
    assert to_city.due_at == incident.received_at + dt.timedelta(hours=2)
    row = deadlines.for_object(to_city).get()
    assert row.department == world.departments["yd_em"] and row.due_at == to_city.due_at
    # the 英德 duty officer is told
    assert Message.objects.filter(
        recipient=world.user("duty_officer", "yingde"), event="emergency.report.due"
    ).exists()
    # the city does not see it yet? It is addressed to the city: it sees it (reported to it)
    assert Incident.objects.visible_to(world.user("duty_officer", "city")).filter(pk=incident.pk).exists()
    assert (
        not Incident.objects.visible_to(world.user("area_staff", "qingcheng")).filter(pk=incident.pk).exists()
    )


def test_unit_report_after_one_hour_is_late(world, duty):
    incident = record(
        world,
        unit_learned_at=timezone.now() - dt.timedelta(minutes=61),
        occurred_at=timezone.now() - dt.timedelta(minutes=70),
    )
    first = incident.reports.get(sender_level="unit")
    assert first.is_late and incident.findings.filter(kind="late").exists()


def test_report_one_minute_late_flagged_and_console_sees_overdue(world, duty):
    start = dt.datetime(2026, 3, 2, 10, 5, tzinfo=BJ)
    with time_machine.travel(start, tick=False):
        incident = record(world, occurred_at=start - dt.timedelta(minutes=20))
        hop = incident.reports.get(state=ReportState.DUE)
        assert hop.due_at == start + dt.timedelta(hours=2)
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        deadlines.reconcile()
        hop.refresh_from_db()
        assert hop.overdue_flagged_at is None  # on the minute is still in time
    with time_machine.travel(start + dt.timedelta(hours=2, minutes=1), tick=False):
        counts = deadlines.reconcile()
        assert counts["escalated"] == 1
        hop.refresh_from_db()
        assert hop.overdue_flagged_at is not None
        assert Message.objects.filter(
            event="emergency.report.overdue", recipient=world.user("duty_officer", "city")
        ).exists()
        sent = actions.do_send_report(world.user("duty_officer", "yingde"), hop, channel="电话+传真")
    assert sent.is_late and sent.state == ReportState.SENT
    assert incident.findings.filter(kind="late", report=sent).exists()
    assert Deadline.objects.get(pk=deadlines.for_object(hop).get().pk).met_at is not None


def test_report_on_time_not_late_and_city_notified(world, duty):
    start = dt.datetime(2026, 3, 2, 10, 5, tzinfo=BJ)
    with time_machine.travel(start, tick=False):
        incident = record(world, occurred_at=start - dt.timedelta(minutes=20))
        hop = incident.reports.get(state=ReportState.DUE)
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        sent = actions.do_send_report(world.user("duty_officer", "yingde"), hop)
    assert not sent.is_late
    assert sent.content["casualties_loss"].startswith("死亡2人")
    assert Message.objects.filter(
        event="emergency.report.received", recipient=world.user("duty_officer", "city")
    ).exists()
    assert AuditEvent.objects.filter(action="emergency.report.send").exists()


def test_regrade_general_to_larger_adds_provincial_report(world, duty):
    start = dt.datetime(2026, 3, 2, 10, 5, tzinfo=BJ)
    with time_machine.travel(start, tick=False):
        incident = record(world, occurred_at=start - dt.timedelta(minutes=20))
        hop = incident.reports.get(state=ReportState.DUE)
    with time_machine.travel(start + dt.timedelta(minutes=50), tick=False):
        actions.do_send_report(world.user("duty_officer", "yingde"), hop)
    assert not incident.reports.filter(receiver_level="province").exists()
    with time_machine.travel(start + dt.timedelta(hours=5), tick=False):
        actions.do_supplement(
            world.user("duty_officer", "yingde"), incident, {"deaths": 3, "text": "1名重伤人员经抢救无效死亡"}
        )
        incident.refresh_from_db()
        assert incident.grade == "larger"
        change = GradeChange.objects.get(incident=incident, from_grade="general")
        assert change.to_grade == "larger"
        province = incident.reports.get(receiver_level="province")
        assert province.sender.level == "city" and province.state == ReportState.DUE
        assert province.kind == "initial"
        # a task of the city's duty post
        assert deadlines.for_object(province).get().department == world.departments["city_em"]
        assert AuditEvent.objects.filter(
            action="emergency.incident.regrade", object_id=str(incident.pk)
        ).exists()
        # every level concerned hears of the re-grade
        for who in (("duty_officer", "yingde"), ("duty_officer", "city")):
            assert Message.objects.filter(
                event="emergency.incident.regraded", recipient=world.user(*who)
            ).exists()
    # the 续报 goes to the city first; when the city receives it, the province hop counts from then
    supplement_hop = incident.reports.get(kind="supplement", receiver_level="city")
    with time_machine.travel(start + dt.timedelta(hours=5, minutes=30), tick=False):
        actions.do_send_report(world.user("duty_officer", "yingde"), supplement_hop)
    province.refresh_from_db()
    assert province.due_at == start + dt.timedelta(hours=7, minutes=30)
    # the city records its send to the province
    actions.do_send_report(world.user("duty_officer", "city"), province, channel="省应急指挥平台")
    province.refresh_from_db()
    assert province.state == ReportState.SENT


def test_supplement_outside_window_does_not_regrade(world, duty):
    incident = record(
        world, accident_kind="fire", subtype="fire", occurred_at=timezone.now() - dt.timedelta(days=8)
    )
    s = actions.do_supplement(
        world.user("duty_officer", "yingde"), incident, {"deaths": 3, "text": "第9日死亡"}
    )
    incident.refresh_from_db()
    assert not s.in_window and incident.grade == "general" and incident.deaths == 2


def test_skip_level_recorded_and_intermediate_cancelled(world, duty):
    incident = record(world, deaths=3)
    assert incident.grade == "larger"
    hop = incident.reports.get(sender_level="county", receiver_level="city")
    province = services.province_body()
    sent = actions.do_send_report(world.user("duty_officer", "yingde"), hop, receiver=province)
    assert sent.skipped_levels == ["city"] and sent.receiver == province
    assert incident.reports.get(sender_level="city").state == ReportState.CANCELLED


def test_major_accident_chain_to_ministry(world, duty):
    incident = record(world, deaths=10)
    levels = [(r.sender_level, r.receiver_level) for r in incident.reports.order_by("id")]
    assert levels == [("unit", "county"), ("county", "city"), ("city", "province"), ("province", "ministry")]
    ext = incident.reports.get(sender_level="province")
    assert not deadlines.for_object(ext).exists()  # the province reports outside the platform


def test_send_requires_contents_and_own_body(world, duty):
    incident = record(world, measures="")
    hop = incident.reports.get(state=ReportState.DUE)
    with pytest.raises(ActionError) as err:
        actions.do_send_report(world.user("duty_officer", "yingde"), hop)
    assert err.value.field == "measures"
    incident.measures = "已救援"
    incident.save()
    with pytest.raises(Forbidden):
        actions.do_send_report(world.user("duty_officer", "qingcheng"), hop)


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("deaths", -1, "min_value"),
        ("serious_injuries", "x", "invalid"),
        ("direct_loss", "一百万", "invalid"),
        ("direct_loss", "-5", "min_value"),
        ("title", "", "required"),
    ],
)
def test_bad_inputs(world, duty, field, value, code):
    with pytest.raises(ActionError) as err:
        record(world, **{field: value})
    assert err.value.field == field and err.value.code == code


def test_future_time_rejected(world, duty):
    with pytest.raises(ActionError) as err:
        record(world, occurred_at=timezone.now() + dt.timedelta(hours=1))
    assert err.value.field == "occurred_at" and err.value.code == "future"


def test_response_levels(world, duty):
    incident = record(world)
    leader = world.user("duty_leader", "yingde")
    actions.do_response(leader, incident, step="activate", level="4", note="启动Ⅳ级")
    with pytest.raises(ActionError):
        actions.do_response(leader, incident, step="raise", level="4", note="同级")
    with pytest.raises(ActionError) as err:  # a change of level states its reason
        actions.do_response(leader, incident, step="raise", level="3")
    assert err.value.field == "note"
    actions.do_response(leader, incident, step="raise", level="3", note="被困人员增加")
    actions.do_response(leader, incident, step="lower", level="4", note="险情得到控制")
    with pytest.raises(ActionError):
        actions.do_close_incident(leader, incident, summary="x")
    actions.do_response(leader, incident, step="end", note="救援结束")
    with pytest.raises(Forbidden):
        actions.do_response(world.user("duty_officer", "yingde"), incident, step="activate", level="4")
    actions.do_close_incident(leader, incident, summary="处置完毕")
    incident.refresh_from_db()
    assert incident.state == "closed" and incident.response_changes.count() == 4
    assert AuditEvent.objects.filter(action="emergency.incident.response").count() == 4
    assert AuditEvent.objects.filter(action="emergency.incident.response", note="险情得到控制").exists()


def test_create_incident_from_source_links_origin(world, duty):
    origin = world.enterprises["yingde"]
    incident = services.create_incident_from_source(
        actor=None,
        source="alarm",
        title="可燃气体浓度超限",
        description="传感器报警",
        lat=24.2,
        lon=113.35,
        occurred_at=timezone.now(),
        origin_obj=origin,
    )
    assert incident.division == world.towns["yingde"] and incident.source == "alarm"
    from pingan.core.links import linked

    assert ("opened_incident", origin) in linked(incident)


def test_on_duty_department_and_division_fallback(world, duty):
    yd = services.on_duty(department=world.departments["yd_em"])
    assert set(yd) == {world.user("duty_officer", "yingde"), world.user("duty_leader", "yingde")}
    # the town has no post: falls back to the district
    assert set(services.on_duty(division=world.towns["yingde"])) == set(yd)
    assert world.user("duty_officer", "city") in services.on_duty(division=world.city)
    assert (
        services.on_duty(department=world.departments["yd_em"], at=timezone.now() + dt.timedelta(days=60))
        == []
    )


def test_skipped_level_is_told_and_still_sees_it(world, duty):
    incident = record(world, deaths=3)
    hop = incident.reports.get(sender_level="county", receiver_level="city")
    actions.do_send_report(world.user("duty_officer", "yingde"), hop, receiver=services.province_body())
    assert Message.objects.filter(
        event="emergency.report.skipped", recipient=world.user("duty_officer", "city")
    ).exists()
    assert Incident.objects.visible_to(world.user("duty_officer", "city")).filter(pk=incident.pk).exists()


def test_nobody_rostered_falls_back_to_department_duty_people(world, duty):
    from pingan.emergency.models import Shift

    Shift.objects.filter(post=duty["yingde"]).delete()
    record(world)
    assert Message.objects.filter(
        event="emergency.report.due", recipient=world.user("duty_leader", "yingde")
    ).exists()


def test_roster_gap_notification(world, duty):
    from pingan.emergency.models import Shift
    from pingan.emergency.selectors import notify_gaps

    Shift.objects.filter(post=duty["yingde"]).update(ends_at=timezone.now() + dt.timedelta(hours=5))
    assert notify_gaps() == 1
    assert Message.objects.filter(
        event="emergency.roster.gap", recipient=world.user("duty_leader", "yingde")
    ).exists()


def test_create_incident_from_source_tolerates_unknown_category(world, duty):
    inc = services.create_incident_from_source(
        actor=None,
        source="public",
        title="群众报告",
        description="x",
        lat=None,
        lon=None,
        occurred_at=timezone.now(),
        origin_obj=world.towns["qingcheng"],
        category="whatever",
    )
    assert inc.category == "accident" and inc.division == world.towns["qingcheng"]


def test_day_counting_is_a_setting(world, duty, settings):
    from pingan.emergency.models import Supplement

    now = timezone.localtime()
    incident = record(
        world, accident_kind="fire", subtype="fire", occurred_at=now - dt.timedelta(days=7)
    )  # today is the 8th day
    settings.EMERGENCY_ACCIDENT_DAY_IS_DAY_ONE = False
    s = actions.do_supplement(
        world.user("duty_officer", "yingde"), incident, {"deaths": 3, "text": "第8日死亡"}
    )
    assert s.in_window
    settings.EMERGENCY_ACCIDENT_DAY_IS_DAY_ONE = True
    s = actions.do_supplement(world.user("duty_officer", "yingde"), incident, {"deaths": 4, "text": "又1人"})
    assert not s.in_window and Supplement.objects.count() == 2


def test_incident_from_another_module_belongs_to_its_county(world, duty):
    inc = services.create_incident_from_source(
        actor=world.user("integration", "city"),
        source="alarm",
        title="报警转事件",
        description="x",
        lat=24.2,
        lon=113.35,
        occurred_at=timezone.now(),
        origin_obj=None,
    )
    assert inc.owner_body.division == world.districts["yingde"]
    assert [(r.sender_level, r.receiver_level) for r in inc.reports.order_by("id")] == [
        ("unit", "county"),
        ("county", "city"),
    ]


def test_swap_needs_approval_by_the_posts_department(world, duty):
    from pingan.emergency.models import Shift

    shift = Shift.objects.get(post=duty["yingde"])
    officer = world.user("duty_officer", "yingde")
    swap = actions.do_request_swap(
        officer,
        shift,
        role="officer",
        from_user=officer,
        to_user=world.user("inspector", "yingde"),
        reason="培训",
    )
    assert Message.objects.filter(
        event="emergency.swap.requested", recipient=world.user("duty_leader", "yingde")
    ).exists()
    with pytest.raises(Forbidden):
        actions.do_decide_swap(world.user("duty_leader", "qingcheng"), swap, approve=True)
    with pytest.raises(Forbidden):
        actions.do_decide_swap(officer, swap, approve=True)
    actions.do_decide_swap(world.user("duty_leader", "yingde"), swap, approve=True)
    assert set(shift.officers.all()) == {world.user("inspector", "yingde")}
    assert services.on_duty(department=world.departments["yd_em"]) == [
        world.user("duty_leader", "yingde"),
        world.user("inspector", "yingde"),
    ]


def test_natural_disaster_without_a_unit_has_no_unit_report_and_is_not_late(world, duty):
    # QA: a flood with no 事发单位, learned hours later, was flagged 迟报 for a unit report that
    # does not exist.
    incident = record(
        world,
        title="英德山洪",
        category="natural",
        subtype="flood_drought",
        unit_name="",
        unit_overview="",
        occurred_at=timezone.now() - dt.timedelta(hours=5),
        deaths=0,
        serious_injuries=0,
        direct_loss="0",
    )
    hops = list(incident.reports.order_by("id"))
    assert hops and all(r.sender_level != "unit" for r in hops)
    assert not incident.reports.filter(is_late=True).exists()
    assert not incident.findings.exists()


def test_a_natural_disaster_has_a_unit_report_only_with_a_unit():
    from pingan.emergency.rules import has_unit_report

    assert has_unit_report(natural_disaster=False, unit_name="", enterprise_id=None)
    assert has_unit_report(natural_disaster=True, unit_name="某矿业公司", enterprise_id=None)
    assert has_unit_report(natural_disaster=True, unit_name="", enterprise_id=7)
    assert not has_unit_report(natural_disaster=True, unit_name="  ", enterprise_id=None)


def test_the_receiving_post_signs_for_a_report_and_the_sender_sees_it(world, duty):
    from django.test import Client

    incident = record(world)
    to_city = incident.reports.get(receiver_level="city")
    yd, city = world.user("duty_officer", "yingde"), world.user("duty_officer", "city")
    with pytest.raises(Conflict):
        actions.do_acknowledge_report(city, to_city)  # not sent yet
    actions.do_send_report(yd, to_city, channel="电话")
    with pytest.raises(Forbidden):
        actions.do_acknowledge_report(yd, to_city)  # the sender does not sign for its own report
    page = Client()
    page.force_login(city)
    url = f"/console/emergency/incidents/{incident.pk}/"
    assert 'data-testid="acknowledge-city"' in page.get(url).content.decode()
    assert page.post(f"/console/emergency/reports/{to_city.pk}/acknowledge/").status_code == 302
    to_city.refresh_from_db()
    assert to_city.acknowledged_by == city and to_city.acknowledged_at is not None
    assert AuditEvent.objects.filter(
        action="emergency.report.acknowledge", object_id=str(to_city.pk)
    ).exists()
    assert Message.objects.filter(recipient=yd, event="emergency.report.acknowledged").exists()
    with pytest.raises(Conflict):
        actions.do_acknowledge_report(city, to_city)  # once only
    sender_view = Client()
    sender_view.force_login(yd)
    body = sender_view.get(url).content.decode()
    assert 'data-testid="acknowledged-city"' in body and 'data-testid="acknowledge-city"' not in body
    other = Client()
    other.force_login(world.user("duty_officer", "qingcheng"))
    assert other.post(f"/console/emergency/reports/{to_city.pk}/acknowledge/").status_code in (403, 404)
