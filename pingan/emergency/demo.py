"""Emergency demo (idempotent): reporting bodies, a duty post and a rotation for the city and each
district, a few SYNTHETIC past incidents with their reports, and a 三防 response.

Uses the demo accounts `city_duty`, `city_leader`, `yingde_duty` (created by org's demo seed) when
they exist; every district also gets two synthetic duty officers ("演示") so that `on_duty` answers
everywhere. Everything made here is labelled synthetic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from pingan.geo.choices import Level
from pingan.org.choices import Role, Sector

from .choices import Category, ChainLevel, PostLevel, ReportState

CITY = "441800"
DEMO_MARK = "(演示)"


def seed(log: Callable[[str], Any] = print) -> None:
    from pingan.geo.models import Division
    from pingan.org.models import Department, User

    city = Division.objects.filter(code=CITY).first()
    if city is None:
        log("no city division yet (geo demo missing): skipped")
        return
    districts = list(Division.objects.filter(level=Level.DISTRICT, parent=city).order_by("code"))
    em = {
        d.division_id: d
        for d in Department.objects.filter(sector=Sector.EMERGENCY, division__in=[city, *districts]).order_by(
            "kind", "pk"
        )
    }
    if city.pk not in em:
        log("no emergency-management departments yet (org demo missing): skipped")
        return
    with transaction.atomic():
        posts = _posts(city, districts, em, log)
        _bodies(city, districts)
    accounts = {
        u.username: u
        for u in User.objects.filter(
            username__in=["city_duty", "city_leader", "yingde_duty", "city_admin", "city_em"]
        )
    }
    missing = {"city_duty", "city_leader", "yingde_duty"} - set(accounts)
    if missing:
        log(f"demo accounts not found ({', '.join(sorted(missing))}): rotations use synthetic people only")
    with transaction.atomic():
        _rotations(posts, accounts, log)
    with transaction.atomic():
        _incidents(city, districts, accounts, log)
    with transaction.atomic():
        _sanfang(city, districts, em, accounts, log)


def _posts(city: Any, districts: list, em: dict, log: Callable) -> dict:
    from .models import DutyPost

    posts = {}
    made = 0
    for div in [city, *districts]:
        dept = em.get(div.pk)
        if dept is None:
            continue
        post = DutyPost.objects.filter(department=dept, division=div).first()
        if post is None:
            post = DutyPost.objects.create(
                name=f"{dept.name}值班室",
                department=dept,
                division=div,
                level=PostLevel.CITY if div.pk == city.pk else PostLevel.DISTRICT,
                phone=dept.phone or "",
                min_officers=1,
            )
            made += 1
        posts[div.code] = post
    log(f"duty posts: {made} created, {len(posts)} in all")
    return posts


def _bodies(city: Any, districts: list) -> None:
    from .bodies import body_for_division

    body_for_division(city)
    for d in districts:
        body_for_division(d)


def _synthetic_people(post: Any) -> list:
    from pingan.org.models import User

    people = []
    for i, (role, label) in enumerate(
        ((Role.DUTY_OFFICER, "值班员甲"), (Role.DUTY_OFFICER, "值班员乙"), (Role.DUTY_LEADER, "带班领导"))
    ):
        username = f"duty_{post.division.code}_{i + 1}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                role=role,
                division=post.division,
                department=post.department,
                display_name=f"{post.division.name}{label}{DEMO_MARK}",
            )
            user.set_unusable_password()
            user.save()
        people.append(user)
    return people


def _rotations(posts: dict, accounts: dict, log: Callable) -> None:
    from .actions import do_generate_shifts
    from .models import RotationTemplate

    made = 0
    actor = accounts.get("city_admin")
    for code, post in posts.items():
        a, b, leader = _synthetic_people(post)
        crews = [{"leader": leader.pk, "officers": [a.pk]}, {"leader": leader.pk, "officers": [b.pk]}]
        if code == CITY and "city_duty" in accounts:
            crews[0]["officers"].append(accounts["city_duty"].pk)
            crews[1]["officers"].append(accounts["city_duty"].pk)
        if code == CITY and "city_leader" in accounts:
            crews[0]["leader"] = accounts["city_leader"].pk
        if code == "441881" and "yingde_duty" in accounts:
            for crew in crews:
                crew["officers"].append(accounts["yingde_duty"].pk)
        rotation = RotationTemplate.objects.filter(post=post).first()
        if rotation is None:
            rotation = RotationTemplate.objects.create(
                post=post,
                name="24小时两班轮换",
                crews=crews,
                starts_on=timezone.localdate() - dt.timedelta(days=30),
                start_time=dt.time(8, 30),
                shift_hours=24,
            )
        # generate from yesterday so that "now" is covered; existing shifts are kept
        actor_for = actor or leader
        if not actor_for.sees_everything and actor_for.department_id != post.department_id:
            actor_for = leader
        made += len(
            do_generate_shifts(actor_for, rotation, days=15, start=timezone.now() - dt.timedelta(days=1))
        )
    log(f"rotations: {len(posts)}, shifts created: {made}")


def _backdate(incident: Any, delta: dt.timedelta) -> None:
    """Move a demo incident and its reports back in time (the audit keeps the real seeding time)."""
    from django.db.models import F

    from pingan.core import deadlines

    from .models import GradeChange, Incident, Report, Supplement

    Incident.objects.filter(pk=incident.pk).update(
        received_at=F("received_at") - delta, created_at=F("created_at") - delta
    )
    Report.objects.filter(incident=incident).update(
        basis_at=F("basis_at") - delta, due_at=F("due_at") - delta, created_at=F("created_at") - delta
    )
    Report.objects.filter(incident=incident).exclude(sent_at=None).update(sent_at=F("sent_at") - delta)
    GradeChange.objects.filter(incident=incident).update(at=F("at") - delta)
    Supplement.objects.filter(incident=incident).update(at=F("at") - delta)
    for report in Report.objects.filter(incident=incident):
        deadlines.for_object(report).update(
            due_at=report.due_at, starts_at=report.basis_at, met_at=report.sent_at
        )


def _redate_report_texts(incident: Any, delta: dt.timedelta) -> None:
    """The reports' frozen texts name the time of the incident and its number (YJ<date of receipt>-<id>):
    after backdating, they name the backdated ones (the demo's reports said "today" for an incident
    of a week ago)."""
    from .models import Incident, Report

    before = timezone.localtime(incident.occurred_at)
    after = timezone.localtime(incident.occurred_at - delta)
    old, new = f"{before:%Y年%m月%d日%H时%M分}", f"{after:%Y年%m月%d日%H时%M分}"
    received = Incident.objects.values_list("received_at", flat=True).get(pk=incident.pk)
    number = f"YJ{timezone.localtime(received):%Y%m%d}-{incident.pk:05d}"
    if number != incident.number and not Incident.objects.filter(number=number).exists():
        Incident.objects.filter(pk=incident.pk).update(number=number)
    else:
        number = incident.number
    for report in Report.objects.filter(incident=incident):
        content = {k: v.replace(old, new) if isinstance(v, str) else v for k, v in report.content.items()}
        if content.get("number") == incident.number:
            content["number"] = number
        if content != report.content:
            Report.objects.filter(pk=report.pk).update(content=content)


INCIDENTS = [
    # (district code, title, subtype, accident kind, deaths, serious, loss, days ago, hours to
    # send, extra deaths)
    ("441881", "英德市某建材厂机械伤害事故", "workplace", "general", 1, 0, "800000", 6, 1.5, 0),
    ("441802", "清城区某仓储公司仓库火灾", "fire", "fire", 0, 2, "3500000", 3, 2.5, 0),
    ("441882", "连州市国道107线货车侧翻事故", "transport", "road_traffic", 2, 3, "600000", 2, 1.0, 1),
]


def _incidents(city: Any, districts: list, accounts: dict, log: Callable) -> None:
    from pingan.org.models import User

    from .actions import do_record_incident, do_send_report, do_supplement
    from .models import Incident

    if Incident.objects.filter(is_synthetic=True).exists():
        log("demo incidents exist: skipped")
        return
    by_code = {d.code: d for d in districts}
    made = 0
    for code, title, subtype, kind, deaths, serious, loss, days, hours, extra in INCIDENTS:
        dist = by_code.get(code)
        if dist is None:
            continue
        officer = accounts.get("yingde_duty") if code == "441881" else None
        officer = officer or User.objects.filter(username=f"duty_{code}_1").first()
        if officer is None:
            continue
        town = dist.children.filter(level="town").order_by("code").first() or dist
        now = timezone.now()
        incident = do_record_incident(
            officer,
            {
                "title": title + DEMO_MARK,
                "category": Category.ACCIDENT,
                "subtype": subtype,
                "accident_kind": kind,
                "occurred_at": now - dt.timedelta(minutes=40),
                "unit_learned_at": now - dt.timedelta(minutes=30),
                "division": town,
                "lat": town.lat,
                "lon": town.lon,
                "place": f"{town.name}(合成地点)",
                "unit_name": "合成演示单位",
                "unit_overview": "合成数据:演示用生产经营单位,从业人员约80人",
                "scene": "现场已设置警戒",
                "course": "合成数据:作业过程中发生事故,详细经过待调查",
                "deaths": deaths,
                "serious_injuries": serious,
                "direct_loss": loss,
                "measures": "已组织救援、转移伤员、设置警戒",
                "source": "phone",
                "caller_name": "单位安全员",
            },
        )
        Incident.objects.filter(pk=incident.pk).update(is_synthetic=True)
        hop = incident.reports.filter(state=ReportState.DUE, sender__level=ChainLevel.COUNTY).first()
        if hop is not None:
            do_send_report(
                officer, hop, channel="电话+传真", received_by_name="市值班室", sent_at=timezone.now()
            )
        if extra:
            do_supplement(
                officer, incident, {"deaths": deaths + extra, "text": "合成数据:1名重伤人员经抢救无效死亡"}
            )
        delta = dt.timedelta(days=days) - dt.timedelta(hours=hours)
        from .models import Report

        _backdate(incident, dt.timedelta(days=days))
        if hop is not None:
            # sent `hours` after receipt: over 2 hours is a late report (迟报)
            sent = Report.objects.get(pk=hop.pk)
            sent_at = sent.basis_at + dt.timedelta(hours=hours)
            Report.objects.filter(pk=hop.pk).update(sent_at=sent_at, is_late=sent_at > sent.due_at)
            if sent_at > sent.due_at:
                from .choices import Finding
                from .models import ReportFinding

                ReportFinding.objects.get_or_create(
                    incident=incident, report=sent, kind=Finding.LATE, defaults={"note": "超过报送期限(演示)"}
                )
        Incident.objects.filter(pk=incident.pk).update(
            occurred_at=incident.occurred_at - dt.timedelta(days=days)
        )
        _redate_report_texts(incident, dt.timedelta(days=days))
        del delta
        made += 1
    log(f"demo incidents: {made}")


def _sanfang(city: Any, districts: list, em: dict, accounts: dict, log: Callable) -> None:
    from .actions import do_start_sanfang
    from .models import SanfangResponse

    if SanfangResponse.objects.exists():
        log("三防 response exists: skipped")
        return
    actor = accounts.get("city_admin") or accounts.get("city_em")
    if actor is None:
        log("no city_admin account: 三防 demo skipped")
        return
    members = [em[d.pk] for d in districts if d.pk in em][:4]
    if not members:
        return
    do_start_sanfang(
        actor,
        kind="flood",
        level="4",
        headquarters=em[city.pk],
        members=members,
        note="合成数据:演示用防汛Ⅳ级应急响应",
    )
    log(f"三防 response started with {len(members)} member units")
