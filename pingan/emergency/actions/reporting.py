"""The statutory reporting chain (国务院令第493号 §9–§12): laying out the hops, sending them,
recording a send made outside the platform, and whom to tell."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit, deadlines
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.audit import snapshot
from pingan.core.permissions import require
from pingan.notify.services import notify

from .. import rules
from ..bodies import bodies_up
from ..choices import Category, ChainLevel, Finding, ReportKind, ReportState, Source
from ..duty import duty_people
from ..models import Incident, Report, ReportFinding, ReportingBody, Supplement

REPORT_DEADLINE = "emergency.report"
COUNT_FIELDS = ("deaths", "serious_injuries", "minor_injuries", "missing", "trapped")


def incident_url(incident: Incident) -> str:
    return reverse("emergency:incident", args=[incident.pk])


def counts_of(incident: Incident) -> dict[str, Any]:
    return audit.jsonable({k: getattr(incident, k) for k in (*COUNT_FIELDS, "direct_loss")})


def lay_out_chain(
    incident: Incident,
    start: ReportingBody,
    *,
    basis_at: dt.datetime,
    kind: str,
    actor: Any,
    supplement: Supplement | None = None,
) -> list[Report]:
    """Create the hops from `start` up to the end of the chain for the incident's grade.

    For an initial report taken in by a county, the first hop is the unit's report to the county,
    recorded as already received at intake (late if after the unit head's 1-hour limit).
    """
    created: list[Report] = []
    bodies = bodies_up(start)
    end = rules.chain_end(incident.grade)
    levels = [
        lvl
        for lvl in rules.CHAIN
        if lvl in bodies
        and rules.CHAIN.index(lvl) <= rules.CHAIN.index(end)
        and rules.CHAIN.index(lvl) >= rules.CHAIN.index(start.level)
    ]
    predecessor: Report | None = None
    if (
        kind == ReportKind.INITIAL
        and incident.source != Source.LOWER_REPORT
        and rules.has_unit_report(
            natural_disaster=incident.category == Category.NATURAL,
            unit_name=incident.unit_name,
            enterprise_id=incident.enterprise_id,
        )
    ):
        learned = incident.unit_learned_at or incident.occurred_at
        due = rules.hop_due(rules.UNIT, learned)
        first = Report.objects.create(
            incident=incident,
            kind=kind,
            sender=None,
            receiver=start,
            sender_level=ChainLevel.UNIT,
            receiver_level=start.level,
            basis_at=learned,
            due_at=due,
            state=ReportState.SENT,
            sent_at=incident.received_at,
            sent_by=None,
            channel=incident.get_source_display(),
            received_by_name=str(actor or ""),
            is_late=rules.is_late(incident.received_at, due),
            skipped_levels=rules.skipped_levels(rules.UNIT, start.level)
            if start.level != ChainLevel.COUNTY
            else [],
            content=report_content(incident),
            grade_at_send=incident.grade,
        )
        if first.is_late:
            ReportFinding.objects.create(
                incident=incident, report=first, kind=Finding.LATE, note=_("事发单位超过1小时报告")
            )
        created.append(first)
        predecessor = first
    for sender_level, receiver_level in zip(levels, levels[1:], strict=False):
        sender, receiver = bodies[sender_level], bodies[receiver_level]
        existing = (
            Report.objects.filter(incident=incident, sender=sender, receiver=receiver, supplement=supplement)
            .exclude(state=ReportState.CANCELLED)
            .first()
        )
        if existing is not None:
            predecessor = existing
            continue
        if predecessor is None:
            basis = basis_at
        else:
            basis = predecessor.sent_at or predecessor.due_at
            basis = max(basis, basis_at)
        hop_kind = kind
        if (
            kind == ReportKind.SUPPLEMENT
            and not Report.objects.filter(
                incident=incident, receiver=receiver, kind=ReportKind.INITIAL
            ).exists()
        ):
            hop_kind = ReportKind.INITIAL  # the first report this level gets (a re-grade extended the chain)
        report = Report.objects.create(
            incident=incident,
            kind=hop_kind,
            supplement=supplement,
            sender=sender,
            receiver=receiver,
            sender_level=sender_level,
            receiver_level=receiver_level,
            predecessor=predecessor,
            basis_at=basis,
            due_at=rules.hop_due(sender_level, basis),
        )
        _open_task(report, actor)
        created.append(report)
        predecessor = report
    return created


def report_url(report: Report) -> str:
    return reverse("emergency:report", args=[report.pk])


def _open_task(report: Report, actor: Any) -> None:
    sender = report.sender
    if sender is None or sender.department_id is None:
        return  # a level outside the platform sends it (e.g. the province to the ministry)
    deadlines.create(
        report,
        kind=REPORT_DEADLINE,
        due_at=report.due_at,
        starts_at=report.basis_at,
        title=_("向%(to)s报送%(kind)s:%(title)s")
        % {"to": report.receiver.name, "kind": report.get_kind_display(), "title": report.incident.title},
        remind_before=dt.timedelta(minutes=30),
        division=sender.division,
        department=sender.department,
    )
    people = duty_people(sender.department_id)
    local_due = timezone.localtime(report.due_at)
    notify(
        people,
        event="emergency.report.due",
        urgent=True,
        title=_("请于%(due)s前向%(to)s报送:%(title)s")
        % {"due": f"{local_due:%m-%d %H:%M}", "to": report.receiver.name, "title": report.incident.title},
        url=report_url(report),
    )


def report_content(incident: Incident) -> dict[str, str]:
    """The §12 contents of a report, from the incident as it stands."""
    local = timezone.localtime(incident.occurred_at)
    casualties = _(
        "死亡%(d)d人,重伤%(s)d人(含急性工业中毒),轻伤%(m)d人,下落不明%(x)d人,被困%(t)d人;"
        "直接经济损失初步估计%(loss)s元"
    ) % {
        "d": incident.deaths,
        "s": incident.serious_injuries,
        "m": incident.minor_injuries,
        "x": incident.missing,
        "t": incident.trapped,
        "loss": f"{Decimal(incident.direct_loss):,.2f}",
    }
    unit = "\n".join(x for x in (incident.unit_name, incident.unit_overview) if x)
    place = _("%(time)s,%(place)s。%(scene)s") % {
        "time": f"{local:%Y年%m月%d日%H时%M分}",
        "place": incident.place or incident.division.name,
        "scene": incident.scene,
    }
    return {
        "title": incident.title,
        "number": incident.number,
        "grade": incident.get_grade_display() if incident.grade else "",
        "unit_overview": unit,
        "occurred_place_scene": place.strip() if (incident.place or incident.scene) else "",
        "course": incident.course,
        "casualties_loss": casualties,
        "measures": incident.measures,
        "other_matters": incident.other_matters,
    }


def check_send_report(actor: Any, report: Report, *, receiver: ReportingBody | None = None) -> None:
    require(actor, "emergency.send_report", None, _("只有值班人员和部门工作人员可以报送"))
    if report.state != ReportState.DUE:
        raise Conflict(_("该报告已报送或已取消"), field="state")
    if report.sender is None or report.sender.department_id is None:
        raise ActionError(_("该报告由平台外的单位报送,请使用“登记上级报送”"), field="sender", code="external")
    require(
        actor, "emergency.send_report", report, _("只有%(body)s可以报送该报告") % {"body": report.sender.name}
    )
    if receiver is not None and receiver.pk != report.receiver_id:
        if rules.CHAIN.index(receiver.level) <= rules.CHAIN.index(report.receiver_level):
            raise ActionError(_("越级上报只能报送给更高层级"), field="receiver", code="not_higher")
        if receiver.level not in bodies_up(report.receiver):
            raise ActionError(_("接收单位不在本事件的报送链上"), field="receiver", code="not_in_chain")
    missing = rules.missing_contents(report_content(report.incident))
    if missing:
        labels = dict(rules.REPORT_CONTENTS)
        raise ActionError(
            _("报告缺少必报内容:%(item)s") % {"item": labels[missing[0]]}, field=missing[0], code="required"
        )


@transaction.atomic
def do_send_report(
    actor: Any,
    report: Report,
    *,
    channel: str = "",
    received_by_name: str = "",
    receiver: ReportingBody | None = None,
    sent_at: dt.datetime | None = None,
) -> Report:
    """Record that the sender sent the report (to the planned receiver, or skipping levels)."""
    check_send_report(actor, report, receiver=receiver)
    report = lock(report)
    if report.state != ReportState.DUE:
        raise Conflict(_("该报告已报送或已取消"), field="state")
    now = sent_at or timezone.now()
    incident = report.incident
    before = snapshot(report, ["state", "receiver", "sent_at"])
    skipped_bodies: list[ReportingBody] = []
    if receiver is not None and receiver.pk != report.receiver_id:
        skipped = rules.skipped_levels(report.sender_level, receiver.level)
        # the hops from the skipped levels are no longer this chain's: cancel them
        for hop in Report.objects.filter(
            incident=incident,
            supplement=report.supplement,
            kind__in=[report.kind],
            sender_level__in=skipped,
            state=ReportState.DUE,
        ):
            hop.state = ReportState.CANCELLED
            hop.save(update_fields=["state"])
            deadlines.cancel(hop, kind=REPORT_DEADLINE)
        report.skipped_levels = skipped
        skipped_bodies = [b for lvl, b in bodies_up(report.receiver).items() if lvl in skipped]
        report.receiver = receiver
        report.receiver_level = receiver.level
    report.state = ReportState.SENT
    report.sent_at = now
    report.sent_by = actor
    report.channel = channel[:40]
    report.received_by_name = received_by_name[:50]
    report.is_late = rules.is_late(now, report.due_at)
    report.content = report_content(incident)
    report.grade_at_send = incident.grade
    report.save()
    deadlines.close(report, kind=REPORT_DEADLINE, met_at=now)
    if report.is_late:
        ReportFinding.objects.create(
            incident=incident,
            report=report,
            kind=Finding.LATE,
            by=None,
            note=_("超过报送期限%(min)d分钟") % {"min": int((now - report.due_at).total_seconds() // 60)},
        )
    audit.record(
        "emergency.report.send",
        report,
        actor=actor,
        before=before,
        after=snapshot(report, ["state", "receiver", "sent_at", "is_late", "skipped_levels"]),
        division_path=incident.division.path,
    )
    # the receiver's own hop up starts from its receipt
    successors = Report.objects.filter(
        incident=incident, state=ReportState.DUE, sender=report.receiver
    ).filter(Q(predecessor=report) | Q(supplement=report.supplement, kind=report.kind))
    for nxt in successors:
        nxt.predecessor = report
        nxt.basis_at = now
        nxt.due_at = rules.hop_due(nxt.sender_level, now)
        nxt.save(update_fields=["predecessor", "basis_at", "due_at"])
        deadlines.for_object(nxt).filter(kind=REPORT_DEADLINE, met_at=None).update(
            due_at=nxt.due_at, starts_at=now, remind_at=nxt.due_at - dt.timedelta(minutes=30)
        )
    for body in skipped_bodies:  # the levels jumped over are told (and keep seeing the incident)
        if body.department_id:
            notify(
                duty_people(body.department_id),
                event="emergency.report.skipped",
                title=_("%(sender)s越级向%(receiver)s报送:%(title)s")
                % {"sender": report.sender.name, "receiver": report.receiver.name, "title": incident.title},
                url=incident_url(incident),
            )
    if report.receiver.department_id:
        notify(
            duty_people(report.receiver.department_id),
            event="emergency.report.received",
            urgent=True,
            title=_("收到%(sender)s的%(kind)s:%(title)s(%(grade)s)")
            % {
                "sender": report.sender.name,
                "kind": report.get_kind_display(),
                "title": incident.title,
                "grade": incident.get_grade_display(),
            },
            url=incident_url(incident),
        )
    return report


@transaction.atomic
def do_record_external_send(
    actor: Any, report: Report, *, sent_at: dt.datetime | None = None, note: str = ""
) -> Report:
    """A level outside the platform (the province) reported up: record it as confirmed."""
    require(actor, "emergency.record_external", report, _("只有该报告报送单位的下一级可以登记上级报送"))
    report = lock(report)
    if report.state != ReportState.DUE:
        raise Conflict(_("该报告已报送或已取消"), field="state")
    now = sent_at or timezone.now()
    report.state, report.sent_at, report.sent_by = ReportState.SENT, now, actor
    report.is_late = rules.is_late(now, report.due_at)
    report.channel = note[:40]
    report.content = report_content(report.incident)
    report.grade_at_send = report.incident.grade
    report.save()
    audit.record(
        "emergency.report.external",
        report,
        actor=actor,
        after=snapshot(report, ["state", "sent_at"]),
        division_path=report.incident.division.path,
        note=note,
    )
    return report


def concerned_people(incident: Incident) -> list[Any]:
    """On-duty people of every on-platform level the incident has been (or is to be) reported to."""
    depts = set()
    if incident.owner_body and incident.owner_body.department_id:
        depts.add(incident.owner_body.department_id)
    for sender_dept, receiver_dept in Report.objects.filter(incident=incident).values_list(
        "sender__department", "receiver__department"
    ):
        depts.update(d for d in (sender_dept, receiver_dept) if d)
    people: list[Any] = []
    for d in sorted(depts):
        people.extend(duty_people(d))
    return people


def do_acknowledge_report(actor: Any, report: Report) -> Report:
    """签收: the receiving duty post confirms it has a sent report; the sender is told. Once only."""
    require(actor, "emergency.acknowledge_report", report)
    report = lock(report)
    if report.state != ReportState.SENT:
        raise Conflict(_("报告尚未报送,不能签收"), field="state")
    if report.acknowledged_at is not None:
        raise Conflict(_("该报告已签收"), field="acknowledged_at")
    report.acknowledged_at = timezone.now()
    report.acknowledged_by = actor
    report.save(update_fields=["acknowledged_at", "acknowledged_by"])
    audit.record(
        "emergency.report.acknowledge",
        report,
        actor=actor,
        after=snapshot(report, ["acknowledged_at"]),
        division_path=report.incident.division.path,
    )
    if report.sender is not None and report.sender.department_id:
        notify(
            duty_people(report.sender.department_id),
            event="emergency.report.acknowledged",
            title=_("%(receiver)s已签收:%(title)s")
            % {"receiver": report.receiver.name, "title": report.incident.title},
            url=incident_url(report.incident),
        )
    return report
