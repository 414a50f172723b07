"""Every state change of licence applications and licences: check_* validates, do_* changes rows in
one transaction and writes its audit event.

The statutory clock: receiving an application opens a "licensing.accept" Deadline (accept or tell
the missing materials within 5 working days, once); acceptance opens "licensing.decide" (the type's
limit in working days); stopping the clock (only for the reasons rules.STOP_REASONS names) cancels
that Deadline, and resuming it opens a new one later by the working days it stood still. An issued
licence opens "licensing.renew" at the start of its renewal window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit, deadlines, workcal
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.audit import snapshot
from pingan.core.permissions import require

from . import rules
from .choices import ApplicationState, LicenceKind, LicenceState
from .models import Application, ClockStop, Licence

ACCEPT_KIND = "licensing.accept"
DECIDE_KIND = "licensing.decide"
RENEW_KIND = "licensing.renew"
OPEN_STATES = (ApplicationState.ACCEPTED, ApplicationState.STOPPED)


def _rule_error(exc: rules.RuleError) -> ActionError:
    return ActionError(exc.message, field=exc.field, code=exc.code)


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), workcal.TZ)


def _materials(kind: str, materials: Iterable[str]) -> list[str]:
    known = set(rules.required_materials(kind))
    out = []
    for m in materials:
        if m not in known:
            raise ActionError(_("该许可类型不需要此材料"), field="materials", code="invalid_choice")
        if m not in out:
            out.append(m)
    return out


def check_apply(actor: Any, enterprise: Any, *, kind: str, scope: str, materials: Iterable[str]) -> list[str]:
    require(actor, "licensing.apply", enterprise, _("只能为本单位申请许可"))
    if kind not in LicenceKind.values:
        raise ActionError(_("未知的许可类型"), field="kind", code="invalid_choice")
    if not scope.strip():
        raise ActionError(_("请填写申请许可范围"), field="scope", code="required")
    return _materials(kind, materials)


@transaction.atomic
def do_apply(
    actor: Any, enterprise: Any, *, kind: str, scope: str, materials: Iterable[str], project: str = ""
) -> Application:
    provided = check_apply(actor, enterprise, kind=kind, scope=scope, materials=materials)
    if kind.startswith("review_") and not project.strip():
        raise ActionError(_("建设项目审查须填写项目名称"), field="project", code="required")
    now = timezone.now()
    app = Application.objects.create(
        enterprise=enterprise,
        division=enterprise.division,
        kind=kind,
        project=project.strip(),
        scope=scope.strip(),
        materials=provided,
        received_at=now,
        applicant=actor,
    )
    # The number the applicant tracks on the portal: year and a sequence (the row's id, unique).
    app.number = f"XK{timezone.localdate(now):%Y}{app.pk:06d}"
    app.save(update_fields=["number"])
    due = rules.materials_due(timezone.localdate(now), workcal.load_overrides())
    deadlines.create(
        app,
        kind=ACCEPT_KIND,
        title=_("受理或一次性告知补正:%(number)s") % {"number": app.number},
        due_at=_end_of(due),
        remind_before=dt.timedelta(days=1),
        division=app.division,
    )
    audit.record(
        "licensing.application.apply", app, actor=actor, after=snapshot(app, ["number", "kind", "state"])
    )
    return app


@transaction.atomic
def do_request_materials(actor: Any, app: Application) -> Application:
    """一次性告知: the missing materials, all at once, and only once."""
    require(actor, "licensing.review", app, _("您无权审查该申请"))
    app = lock(app)
    if app.state != ApplicationState.SUBMITTED:
        raise Conflict(_("申请状态已变化,请刷新后重试"), field="state")
    if app.missing_told_at is not None:
        raise Conflict(_("补正材料已一次性告知,不能再次告知"), field="missing")
    missing = rules.missing_materials(app.kind, app.materials)
    if not missing:
        raise ActionError(_("材料齐全,应当受理"), field="missing")
    app.missing = missing
    app.missing_told_at = timezone.now()
    app.state = ApplicationState.INCOMPLETE
    app.save(update_fields=["missing", "missing_told_at", "state"])
    deadlines.close(app, kind=ACCEPT_KIND)
    audit.record("licensing.application.request_materials", app, actor=actor, after={"missing": missing})
    return app


@transaction.atomic
def do_supplement(actor: Any, app: Application, *, materials: Iterable[str]) -> Application:
    require(actor, "licensing.supplement", app, _("只能补正本单位的申请"))
    app = lock(app)
    if app.state != ApplicationState.INCOMPLETE:
        raise Conflict(_("该申请不在待补正状态"), field="state")
    provided = _materials(app.kind, list(app.materials) + list(materials))
    app.materials = provided
    app.state = ApplicationState.SUBMITTED
    app.received_at = timezone.now()  # the complete application is received now
    app.save(update_fields=["materials", "state", "received_at"])
    due = rules.materials_due(timezone.localdate(app.received_at), workcal.load_overrides())
    deadlines.create(
        app,
        kind=ACCEPT_KIND,
        title=_("受理或一次性告知补正:%(number)s") % {"number": app.number},
        due_at=_end_of(due),
        division=app.division,
    )
    audit.record("licensing.application.supplement", app, actor=actor, after={"materials": provided})
    return app


def _set_decision_deadline(app: Application) -> None:
    accepted = timezone.localdate(app.accepted_at)
    app.due_on = rules.decision_due(
        app.kind, accepted, stopped_days=app.stopped_days, overrides=workcal.load_overrides()
    )
    deadlines.create(
        app,
        kind=DECIDE_KIND,
        title=_("许可决定期限:%(number)s") % {"number": app.number},
        due_at=_end_of(app.due_on),
        remind_before=dt.timedelta(days=3),
        division=app.division,
    )


@transaction.atomic
def do_accept(actor: Any, app: Application) -> Application:
    require(actor, "licensing.review", app, _("您无权审查该申请"))
    app = lock(app)
    if app.state != ApplicationState.SUBMITTED:
        raise Conflict(_("申请状态已变化,请刷新后重试"), field="state")
    missing = rules.missing_materials(app.kind, app.materials)
    if missing:
        raise ActionError(_("材料不齐全,请一次性告知需要补正的材料"), field="materials", code="incomplete")
    app.state = ApplicationState.ACCEPTED
    app.accepted_at = timezone.now()
    deadlines.close(app, kind=ACCEPT_KIND)
    _set_decision_deadline(app)
    app.save(update_fields=["state", "accepted_at", "due_on"])
    audit.record("licensing.application.accept", app, actor=actor, after=snapshot(app, ["state", "due_on"]))
    return app


@transaction.atomic
def do_stop_clock(actor: Any, app: Application, *, reason: str, note: str = "") -> ClockStop:
    require(actor, "licensing.review", app, _("您无权审查该申请"))
    app = lock(app)
    if app.state != ApplicationState.ACCEPTED:
        raise Conflict(_("只有审查中的申请可以停止计时"), field="state")
    try:
        rules.check_stop_reason(reason)
    except rules.RuleError as exc:
        raise _rule_error(exc) from exc
    stop = ClockStop.objects.create(
        application=app, reason=reason, started_on=timezone.localdate(), note=note
    )
    app.state = ApplicationState.STOPPED
    app.save(update_fields=["state"])
    deadlines.for_object(app).filter(kind=DECIDE_KIND, met_at=None, cancelled_at=None).update(
        cancelled_at=timezone.now()
    )
    audit.record("licensing.application.stop_clock", app, actor=actor, after={"reason": reason}, note=note)
    return stop


@transaction.atomic
def do_resume_clock(actor: Any, app: Application) -> Application:
    require(actor, "licensing.review", app, _("您无权审查该申请"))
    app = lock(app)
    if app.state != ApplicationState.STOPPED:
        raise Conflict(_("该申请没有停止计时"), field="state")
    stop = app.stops.filter(ended_on=None).order_by("-pk").first()
    today = timezone.localdate()
    if stop is not None:
        stop.ended_on = today
        stop.working_days = rules.stopped_working_days(stop.started_on, today, workcal.load_overrides())
        stop.save(update_fields=["ended_on", "working_days"])
        app.stopped_days += stop.working_days
    app.state = ApplicationState.ACCEPTED
    _set_decision_deadline(app)
    app.save(update_fields=["state", "stopped_days", "due_on"])
    audit.record(
        "licensing.application.resume_clock",
        app,
        actor=actor,
        after=snapshot(app, ["due_on", "stopped_days"]),
    )
    return app


@transaction.atomic
def do_decide(actor: Any, app: Application, *, approve: bool, note: str = "", scope: str = "") -> Application:
    """准予 (with the licence: number, scope, validity) or 不予许可 (with its reason)."""
    require(actor, "licensing.review", app, _("您无权审查该申请"))
    app = lock(app)
    if app.state not in OPEN_STATES:
        raise Conflict(_("申请状态已变化,请刷新后重试"), field="state")
    if not approve and not note.strip():
        raise ActionError(_("不予许可须说明理由"), field="note", code="required")
    if app.state == ApplicationState.STOPPED:
        do_resume_clock(actor, app)
        app.refresh_from_db()
    now = timezone.now()
    app.state = ApplicationState.APPROVED if approve else ApplicationState.REFUSED
    app.decided_at = now
    app.decision_note = note.strip()
    app.save(update_fields=["state", "decided_at", "decision_note"])
    deadlines.close(app, kind=DECIDE_KIND)
    audit.record(
        "licensing.application.decide",
        app,
        actor=actor,
        after={"state": app.state, "due_on": app.due_on.isoformat() if app.due_on else None},
        note=note,
    )
    if approve:
        _issue(actor, app, scope=scope.strip() or app.scope, on=timezone.localdate(now))
    return app


def _issue(actor: Any, app: Application, *, scope: str, on: dt.date) -> Licence:
    period = rules.validity(app.kind, on)
    prefix = "(粤清)应急审" if app.kind.startswith("review_") else "(粤清)应急许"
    licence = Licence.objects.create(
        number=f"{prefix}〔{on.year}〕{app.pk:05d}号",
        application=app,
        enterprise=app.enterprise,
        division=app.division,
        kind=app.kind,
        scope=scope,
        valid_from=period[0] if period else None,
        valid_until=period[1] if period else None,
        renewal_opens=rules.renewal_opens(app.kind, period[1]) if period else None,
    )
    if licence.renewal_opens is not None and licence.valid_until is not None:
        deadlines.create(
            licence,
            kind=RENEW_KIND,
            title=_("许可证到期前申请延续:%(number)s") % {"number": licence.number},
            due_at=_end_of(licence.valid_until),
            # The reminder goes out the morning the renewal window opens.
            remind_before=_end_of(licence.valid_until)
            - dt.datetime.combine(licence.renewal_opens, dt.time(9, 0), workcal.TZ),
            division=licence.division,
        )
    audit.record(
        "licensing.licence.issue", licence, actor=actor, after=snapshot(licence, ["number", "valid_until"])
    )
    return licence


@transaction.atomic
def do_sanction(actor: Any, licence: Licence, *, state: str, reason: str) -> Licence:
    """暂扣 (suspend), 吊销 (revoke), or restore a suspended licence (state "valid")."""
    require(actor, "licensing.sanction", licence, _("您无权暂扣或吊销许可证"))
    licence = lock(licence)
    if state not in LicenceState.values:
        raise ActionError(_("未知的许可证状态"), field="state", code="invalid_choice")
    if licence.state == LicenceState.REVOKED:
        raise Conflict(_("许可证已吊销"), field="state")
    if state == licence.state:
        raise Conflict(_("许可证状态已变化,请刷新后重试"), field="state")
    if not reason.strip():
        raise ActionError(_("请填写理由"), field="reason", code="required")
    before = snapshot(licence, ["state"])
    licence.state = state
    licence.state_note = reason.strip()
    licence.save(update_fields=["state", "state_note"])
    if state == LicenceState.REVOKED:
        deadlines.for_object(licence).filter(met_at=None, cancelled_at=None).update(
            cancelled_at=timezone.now()
        )
    audit.record(
        "licensing.licence.sanction", licence, actor=actor, before=before, after={"state": state}, note=reason
    )
    return licence
