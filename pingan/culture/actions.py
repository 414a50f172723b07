"""Every change in safety education: check, change rows in one transaction, audit."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core import audit, deadlines
from pingan.core.actions import ActionError, lock
from pingan.core.permissions import require

from . import rules
from .choices import SITE_CRITERIA, OrgKind, SiteState
from .models import (
    Activity,
    Article,
    Certificate,
    Course,
    DemoSite,
    Enrolment,
    Lesson,
    ServiceHours,
    SocialOrganisation,
    TrainingRecord,
    Volunteer,
)

ACTION_LABELS = {
    "culture.article.create": gettext_lazy("发布宣传内容"),
    "culture.article.case_from_incident": gettext_lazy("由事件生成事故案例"),
    "culture.enrolment.lesson": gettext_lazy("完成课时"),
    "culture.enrolment.quiz": gettext_lazy("参加测验"),
    "culture.certificate.issue": gettext_lazy("颁发培训证书"),
    "culture.training.record": gettext_lazy("登记培训"),
    "culture.activity.record": gettext_lazy("登记宣教活动"),
    "culture.site.apply": gettext_lazy("申报示范点"),
    "culture.site.assess": gettext_lazy("评估示范点"),
    "culture.volunteer.register": gettext_lazy("登记志愿者"),
    "culture.volunteer.hours": gettext_lazy("登记志愿服务时长"),
    "culture.organisation.create": gettext_lazy("登记社会组织"),
    "culture.organisation.update": gettext_lazy("修改社会组织"),
    "culture.organisation.team": gettext_lazy("登记为可调度的志愿救援队伍"),
    "culture.lesson.create": gettext_lazy("新增课时"),
    "culture.lesson.update": gettext_lazy("修改课时"),
}
REFRESHER = "culture.training.refresher"


# --- Content ---------------------------------------------------------------------------------------------
@transaction.atomic
def do_create_article(actor: Any, data: dict[str, Any]) -> Article:
    require(actor, "culture.edit", None, _("您不能发布宣传内容"))
    if not (data.get("title") or "").strip():
        raise ActionError(_("请填写标题"), field="title")
    if not (data.get("body") or "").strip():
        raise ActionError(_("请填写正文"), field="body")
    article = Article.objects.create(
        **{k: data.get(k, "") for k in ("kind", "title", "summary", "body", "source_incident")}
    )
    audit.record("culture.article.create", article, actor=actor, after={"kind": article.kind})
    return article


@transaction.atomic
def do_case_from_incident(actor: Any, incident_id: int, lessons: str) -> Article:
    """An accident case analysis from a closed incident, with personal data removed."""
    require(actor, "culture.edit", None, _("您不能发布宣传内容"))
    if not apps.is_installed("pingan.emergency"):
        raise ActionError(_("未启用应急值守模块"), field="incident")
    from pingan.emergency.services import closed_incident_facts

    facts = closed_incident_facts(actor, incident_id)
    if facts is None:
        raise ActionError(_("找不到已结束的事件"), field="incident")
    personal = facts["personal"]
    people = _("死亡 %(d)s 人,重伤 %(s)s 人,轻伤 %(m)s 人。") % {
        "d": facts["deaths"],
        "s": facts["serious_injuries"],
        "m": facts["minor_injuries"],
    }
    body = "\n\n".join(
        p
        for p in (
            _("%(when)s,%(where)s发生一起%(kind)s。")
            % {
                "when": facts["occurred"],
                "where": facts["division"],
                "kind": facts["kind"] or facts["category"],
            },
            people,
            rules.redact(facts["course"], personal),
            rules.redact(lessons, personal),
        )
        if p.strip()
    )
    article = Article.objects.create(
        kind="case",
        title=_("事故案例:%(kind)s(%(when)s,%(where)s)")
        % {"kind": facts["kind"] or facts["category"], "when": facts["occurred"], "where": facts["division"]},
        summary=people,
        body=body,
        source_incident=facts["number"],
    )
    audit.record("culture.article.case_from_incident", article, actor=actor, note=facts["number"])
    return article


# --- Learning --------------------------------------------------------------------------------------------
def enrol(actor: Any, course: Course) -> Enrolment:
    require(actor, "culture.learn", None, _("请先登录"))
    enrolment, _created = Enrolment.objects.get_or_create(user=actor, course=course)
    return enrolment


@transaction.atomic
def do_complete_lesson(actor: Any, course: Course, lesson_id: int) -> Enrolment:
    enrolment = lock(enrol(actor, course))
    if not course.lessons.filter(pk=lesson_id).exists():
        raise ActionError(_("课时不存在"), field="lesson")
    if lesson_id not in enrolment.lessons_done:
        enrolment.lessons_done = [*enrolment.lessons_done, lesson_id]
        enrolment.save(update_fields=["lessons_done"])
        audit.record("culture.enrolment.lesson", enrolment, actor=actor, after={"lesson": lesson_id})
    return enrolment


@transaction.atomic
def do_submit_quiz(actor: Any, course: Course, answers: dict[int, int]) -> tuple[Enrolment, int, bool]:
    """Score the answers against the bank; on a pass, issue the certificate (once)."""
    enrolment = lock(enrol(actor, course))
    lessons = set(course.lessons.values_list("pk", flat=True))
    if not lessons <= set(enrolment.lessons_done):
        raise ActionError(_("请先学完全部课时再参加测验"), field="lessons")
    key = dict(course.questions.values_list("pk", "answer"))
    if not key:
        raise ActionError(_("本课程没有测验题目"), field="answers")
    percent = rules.score(answers, key)
    ok = rules.passed(percent, course.pass_mark)
    enrolment.attempts = F("attempts") + 1
    enrolment.best_score = max(enrolment.best_score, percent)
    if ok and enrolment.passed_at is None:
        enrolment.passed_at = timezone.now()
    enrolment.save()
    enrolment.refresh_from_db()
    audit.record("culture.enrolment.quiz", enrolment, actor=actor, after={"score": percent, "passed": ok})
    if ok and not Certificate.objects.filter(enrolment=enrolment).exists():
        _issue(actor, enrolment, percent)
    return enrolment, percent, ok


def _issue(actor: Any, enrolment: Enrolment, percent: int) -> Certificate:
    for _attempt in range(5):
        raw = "".join(secrets.choice(rules.CODE_ALPHABET) for _ in range(12))
        try:
            with transaction.atomic():
                cert = Certificate.objects.create(
                    code=rules.format_code(raw),
                    enrolment=enrolment,
                    holder=str(actor),
                    course_title=enrolment.course.title,
                    hours=enrolment.course.hours,
                    score=percent,
                )
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - 32^12 codes
        raise ActionError(_("证书编号生成失败,请重试"), field="code")
    audit.record("culture.certificate.issue", cert, actor=actor, after={"code": cert.code})
    return cert


# --- Training records ------------------------------------------------------------------------------------
def remind_refresher(row: Any) -> None:
    """A month before a yearly refresher is due: the enterprise's accounts are told (registered in
    CultureConfig.ready)."""
    from pingan.notify.services import notify
    from pingan.org.models import User

    record = row.subject
    if record is None or not record.enterprise_id:
        return
    notify(
        User.objects.filter(enterprise_id=record.enterprise_id, is_active=True),
        event="culture.refresher.due",
        title=_("%(person)s 的年度安全再培训将于 %(due)s 到期")
        % {"person": record.person, "due": timezone.localdate(row.due_at).isoformat()},
    )


@transaction.atomic
def do_record_training(actor: Any, data: dict[str, Any]) -> TrainingRecord:
    """A training done; the compliance with the statutory hours is judged (docs/domain/13-training.md), and
    a refresher deadline (with a reminder a month before) is set where the regulation asks for one."""
    division = data.get("division")
    enterprise = data.get("enterprise")
    if division is None:
        raise ActionError(_("请选择乡镇/街道"), field="division")
    probe = TrainingRecord(division=division, enterprise=enterprise)
    require(actor, "culture.record_training", probe, _("您不能为该单位登记培训"), field="division")
    try:
        hours = Decimal(str(data.get("hours")))
    except Exception:
        raise ActionError(_("请填写学时"), field="hours") from None
    if hours <= 0 or hours > 1000:
        raise ActionError(_("学时应大于 0"), field="hours")
    if not (data.get("person") or "").strip():
        raise ActionError(_("请填写姓名"), field="person")
    trained_on = data.get("trained_on") or timezone.localdate()
    if isinstance(trained_on, str):
        trained_on = date.fromisoformat(trained_on)
    high_risk = (
        rules.is_high_risk(enterprise.industry) if enterprise is not None else bool(data.get("high_risk"))
    )
    record = TrainingRecord.objects.create(
        person=data["person"].strip(),
        trainee=data["trainee"],
        kind=data["kind"],
        enterprise=enterprise,
        division=division,
        high_risk=high_risk,
        hours=hours,
        trained_on=trained_on,
        compliant=rules.compliant(data["trainee"], high_risk, data["kind"], float(hours)),
    )
    due = rules.refresher_due(trained_on, record.trainee, high_risk)
    if due is not None:
        deadlines.create(
            record,
            kind=REFRESHER,
            title=_("%(person)s 年度安全再培训") % {"person": record.person},
            due_at=timezone.make_aware(datetime.combine(due, time(9))),
            remind_before=rules.REFRESHER_REMIND_BEFORE,
            division=division,
        )
    audit.record(
        "culture.training.record",
        record,
        actor=actor,
        after={"hours": str(hours), "compliant": record.compliant},
        division_path=division.path,
    )
    return record


# --- Activities, sites, volunteers -----------------------------------------------------------------------
@transaction.atomic
def do_record_activity(actor: Any, data: dict[str, Any]) -> Activity:
    division = data.get("division")
    if division is None:
        raise ActionError(_("请选择乡镇/街道"), field="division")
    require(actor, "culture.edit", division, _("您不能为该乡镇登记活动"), field="division")
    counts = {k: int(data.get(k) or 0) for k in ("farmers", "students", "workers", "others")}
    if any(v < 0 for v in counts.values()):
        raise ActionError(_("人数不能为负"), field="farmers")
    activity = Activity.objects.create(
        kind=data["kind"],
        title=data["title"],
        place=data["place"],
        held_on=data["held_on"],
        division=division,
        photo=data.get("photo") or "",
        **counts,
    )
    audit.record("culture.activity.record", activity, actor=actor, after=counts)
    return activity


@transaction.atomic
def do_apply_site(actor: Any, data: dict[str, Any]) -> DemoSite:
    division = data.get("division")
    if division is None:
        raise ActionError(_("请选择乡镇/街道"), field="division")
    require(actor, "culture.edit", division, _("您不能为该乡镇申报示范点"), field="division")
    site = DemoSite.objects.create(
        name=data["name"],
        kind=data["kind"],
        division=division,
        teaches=data["teaches"],
        lat=data.get("lat") or division.lat,
        lon=data.get("lon") or division.lon,
    )
    audit.record("culture.site.apply", site, actor=actor, after={"name": site.name})
    return site


@transaction.atomic
def do_assess_site(actor: Any, site: DemoSite, met: list[str]) -> DemoSite:
    require(actor, "culture.assess_site", site, _("您不能评估该示范点"))
    site = lock(site)
    unknown = set(met) - set(SITE_CRITERIA)
    if unknown:
        raise ActionError(_("未知的评估标准"), field="criteria_met")
    before = audit.snapshot(site, ["state", "score"])
    site.criteria_met = sorted(set(met))
    site.score = rules.site_score({k: v[1] for k, v in SITE_CRITERIA.items()}, met)
    site.state = SiteState.APPROVED if site.score >= rules.SITE_PASS_SCORE else SiteState.REJECTED
    site.save()
    audit.record(
        "culture.site.assess",
        site,
        actor=actor,
        before=before,
        after=audit.snapshot(site, ["state", "score"]),
    )
    return site


@transaction.atomic
def do_register_volunteer(actor: Any, data: dict[str, Any]) -> Volunteer:
    """A volunteer of a township; one with an account is subscribed to the township's warnings."""
    division = data.get("division")
    if division is None or division.level != "town":
        raise ActionError(_("请选择乡镇/街道"), field="division")
    require(actor, "culture.edit", division, _("您不能为该乡镇登记志愿者"), field="division")
    if not (data.get("name") or "").strip():
        raise ActionError(_("请填写姓名"), field="name")
    volunteer = Volunteer.objects.create(
        name=data["name"].strip(),
        user=data.get("user"),
        phone=data.get("phone", ""),
        division=division,
        skills=data.get("skills", ""),
        availability=data.get("availability", ""),
        certificates=data.get("certificates", ""),
        organisation=data.get("organisation"),
    )
    if volunteer.user_id and apps.is_installed("pingan.warnings"):
        from pingan.warnings.services import subscribe_township

        subscribe_township(volunteer.user, division)
    audit.record("culture.volunteer.register", volunteer, actor=actor, after={"division": division.code})
    return volunteer


@transaction.atomic
def do_log_hours(
    actor: Any, volunteer: Volunteer, served_on: date, hours: Decimal, what: str
) -> ServiceHours:
    require(actor, "culture.edit", volunteer.division, _("您不能登记该志愿者的服务"))
    if hours <= 0:
        raise ActionError(_("时长应大于 0"), field="hours")
    row = ServiceHours.objects.create(volunteer=volunteer, served_on=served_on, hours=hours, what=what)
    Volunteer.objects.filter(pk=volunteer.pk).update(hours=F("hours") + hours)
    audit.record("culture.volunteer.hours", volunteer, actor=actor, after={"hours": str(hours)})
    return row


# --- Social organisations and their volunteer teams (decision 0013) ---------------------------------------
ORG_FIELDS = ["name", "kind", "division", "members", "capabilities", "leader", "phone", "lat", "lon"]
_PHONE = re.compile(r"^[0-9+\- ]{5,20}$")


def check_organisation(actor: Any, org: SocialOrganisation | None, data: dict[str, Any]) -> None:
    division = data.get("division")
    if division is None or getattr(division, "level", None) != "town":
        raise ActionError(_("请选择乡镇/街道"), field="division")
    require(actor, "culture.edit", division, _("您不能为该乡镇登记社会组织"), field="division")
    if org is not None:
        require(actor, "culture.edit", org.division, _("您不能修改该社会组织"))
    name = (data.get("name") or "").strip()
    if not name:
        raise ActionError(_("请填写名称"), field="name", code="required")
    if data.get("kind") not in OrgKind.values:
        raise ActionError(_("未知的组织类型"), field="kind", code="invalid_choice")
    members = data.get("members")
    if not isinstance(members, int) or members < 0:
        raise ActionError(_("成员数应为非负整数"), field="members")
    phone = (data.get("phone") or "").strip()
    if phone and not _PHONE.match(phone):
        raise ActionError(_("电话号码格式不正确"), field="phone")
    lat, lon = data.get("lat"), data.get("lon")
    if (lat is None) != (lon is None):
        raise ActionError(_("集结点的纬度和经度须同时填写"), field="lat" if lat is None else "lon")
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ActionError(_("经纬度超出范围"), field="lat")
    same = SocialOrganisation.objects.filter(division=division, name=name)
    if org is not None:
        same = same.exclude(pk=org.pk)
    if same.exists():
        raise ActionError(_("该乡镇已登记同名社会组织"), field="name", code="duplicate")


@transaction.atomic
def do_save_organisation(
    actor: Any, org: SocialOrganisation | None, data: dict[str, Any]
) -> SocialOrganisation:
    """Register (org None) or edit a social organisation; the audit event holds before and after."""
    if org is not None:
        org = lock(org)
    check_organisation(actor, org, data)
    created = org is None
    before = None if org is None else audit.snapshot(org, ORG_FIELDS)
    row = org or SocialOrganisation()
    row.name = data["name"].strip()
    row.kind = data["kind"]
    row.division = data["division"]
    row.members = data["members"]
    row.capabilities = (data.get("capabilities") or "").strip()
    row.leader = (data.get("leader") or "").strip()
    row.phone = (data.get("phone") or "").strip()
    row.lat, row.lon = data.get("lat"), data.get("lon")
    row.save()
    audit.record(
        "culture.organisation.create" if created else "culture.organisation.update",
        row,
        actor=actor,
        before=before,
        after=audit.snapshot(row, ORG_FIELDS),
    )
    return row


def check_register_team(actor: Any, org: SocialOrganisation, capabilities: list[str]) -> None:
    require(actor, "culture.register_team", org, _("您无权将该组织登记为救援队伍"))
    if org.kind != OrgKind.RESCUE:
        raise ActionError(_("只有社会救援队伍可以登记为可调度队伍"), field="kind")
    if org.lat is None or org.lon is None:
        raise ActionError(_("请先填写集结点的经纬度"), field="lat", code="required")
    if not capabilities:
        raise ActionError(_("请至少选择一项救援能力"), field="capabilities", code="required")


@transaction.atomic
def do_register_team(actor: Any, org: SocialOrganisation, capabilities: list[str]) -> SocialOrganisation:
    """A social rescue organisation becomes (or updates) a rescue Team of kind "volunteer", which the
    dispatch ranks by travel time like any other team; its volunteers join the team's roster."""
    from django.core.exceptions import ValidationError

    from pingan.rescue import services as rescue

    org = lock(org)
    check_register_team(actor, org, capabilities)
    volunteers = list(Volunteer.objects.filter(organisation=org).order_by("id"))
    try:
        team_id = rescue.save_volunteer_team(
            actor,
            team_id=org.rescue_team_id,
            code=f"ZYD-{org.division.code}-{org.pk}",
            name=org.name,
            division=org.division,
            lat=float(org.lat or 0),
            lon=float(org.lon or 0),
            headcount=max(org.members, len(volunteers)),
            capabilities=capabilities,
            leader=org.leader,
            phone=org.phone,
            members=[(v.name, v.phone, bool(v.certificates.strip())) for v in volunteers],
        )
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()), ("capabilities", [_("无效")]))
        raise ActionError(str(messages[0]), field=field) from exc
    before = audit.snapshot(org, ["rescue_team_id"])
    org.rescue_team_id = team_id
    org.save(update_fields=["rescue_team_id", "updated_at"])
    audit.record(
        "culture.organisation.team",
        org,
        actor=actor,
        before=before,
        after={"rescue_team_id": team_id, "capabilities": capabilities, "members": len(volunteers)},
    )
    return org


# --- Lessons and their media -----------------------------------------------------------------------------
def _lesson_snapshot(row: Lesson) -> dict[str, Any]:
    return {
        "course": row.course_id,
        "order": row.order,
        "title": row.title,
        "image": row.image.name or "",
        "video": row.video.name or "",
    }


@transaction.atomic
def do_save_lesson(actor: Any, lesson: Lesson | None, data: dict[str, Any]) -> Lesson:
    """Create or edit a lesson with its image and video (already checked by type and size in the form:
    culture.media); an empty upload keeps the file the lesson has, a cleared one removes it."""
    require(actor, "culture.edit_courses", None, _("您无权编辑课程"))
    if data.get("course") is None:
        raise ActionError(_("请选择课程"), field="course", code="required")
    if not (data.get("title") or "").strip():
        raise ActionError(_("请填写标题"), field="title", code="required")
    if not (data.get("body") or "").strip():
        raise ActionError(_("请填写内容"), field="body", code="required")
    created = lesson is None
    if lesson is not None:
        lesson = lock(lesson)
    before = None if lesson is None else _lesson_snapshot(lesson)
    row = lesson or Lesson()
    row.course = data["course"]
    row.order = data.get("order") or 1
    row.title = data["title"].strip()
    row.body = data["body"]
    for name in ("image", "video"):
        value = data.get(name)
        if value is False:  # ClearableFileInput's "clear"
            setattr(row, name, "")
        elif value:
            setattr(row, name, value)
    row.save()
    audit.record(
        "culture.lesson.create" if created else "culture.lesson.update",
        row,
        actor=actor,
        before=before,
        after=_lesson_snapshot(row),
    )
    return row
