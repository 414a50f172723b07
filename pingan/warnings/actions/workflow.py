"""draft → review → approved → published; Update and Cancel are new messages that reference the one
they change and go through the same steps; on their publication the original ends (superseded or
cancelled). A published warning also ends by itself at `expires` (expire_due, a reconciler)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.permissions import require

from .. import cap, rules
from ..choices import MsgType, Source, State
from ..models import EarlyWarning, WarningArea
from .common import CONTENT, FIELDS, _save_areas, _state_is, clean_areas, clean_content

# How long the all-clear of a Cancel stays on consumers' screens at least.
_ALL_CLEAR = timedelta(hours=1)


def _step(
    actor: Any,
    warning: EarlyWarning,
    perm: str,
    message: str,
    from_state: str,
    to_state: str,
    verb: str,
    note: str = "",
    **changes: Any,
) -> EarlyWarning:
    require(actor, perm, warning, message)
    warning = lock(warning)
    _state_is(warning, from_state)
    before = audit.snapshot(warning, FIELDS)
    warning.state = to_state
    for k, v in changes.items():
        setattr(warning, k, v)
    warning.save()
    audit.record(
        f"warnings.warning.{verb}",
        warning,
        actor=actor,
        before=before,
        after=audit.snapshot(warning, FIELDS),
        note=note,
    )
    return warning


@transaction.atomic
def do_submit(actor: Any, warning: EarlyWarning) -> EarlyWarning:
    return _step(
        actor, warning, "warnings.submit", _("您不能提交该预警"), State.DRAFT, State.REVIEW, "submit"
    )


@transaction.atomic
def do_approve(actor: Any, warning: EarlyWarning, note: str = "") -> EarlyWarning:
    # The level rule (rules.approval_level) and four eyes live in permissions.can_approve.
    return _step(
        actor,
        warning,
        "warnings.approve",
        _("该级别的预警须由相应层级的带班领导批准,且不能批准本人起草的预警"),
        State.REVIEW,
        State.APPROVED,
        "approve",
        note,
        approved_by=actor,
    )


@transaction.atomic
def do_reject(actor: Any, warning: EarlyWarning, note: str) -> EarlyWarning:
    if not (note or "").strip():
        raise ActionError(_("退回须说明理由"), field="note", code="required")
    return _step(
        actor, warning, "warnings.reject", _("您不能退回该预警"), State.REVIEW, State.DRAFT, "reject", note
    )


def _unit_code() -> str:
    return getattr(settings, "WARNINGS_UNIT_CODE", "00000000")


def _new_identifier(warning: EarlyWarning, sent: datetime) -> str:
    base = rules.make_identifier(warning.division.code, _unit_code(), sent.astimezone(cap.LOCAL))
    taken = set(EarlyWarning.objects.filter(identifier__startswith=base).values_list("identifier", flat=True))
    if base not in taken:
        return base
    n = 1
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"


@transaction.atomic
def do_publish(actor: Any, warning: EarlyWarning, *, now: datetime | None = None) -> EarlyWarning:
    require(actor, "warnings.publish", warning, _("您不能发布该预警"))
    now = now or timezone.now()
    warning = lock(warning)
    _state_is(warning, State.APPROVED)
    if warning.expires <= now:
        raise ActionError(_("失效时间已过,请修改后重新提交"), field="expires")
    before = audit.snapshot(warning, FIELDS)
    warning.sent = now.replace(microsecond=0)
    warning.sender = cap.sender_id()
    warning.state = State.PUBLISHED
    areas = list(warning.areas.select_related("division"))
    for attempt in range(3):
        warning.identifier = _new_identifier(warning, warning.sent)
        warning.cap_xml = cap.to_xml(warning, areas)
        errors = cap.validate(warning.cap_xml)
        if errors:  # never publish a message other systems would refuse
            raise ActionError(_("CAP 报文未通过校验:%(error)s") % {"error": errors[0]}, field="cap_xml")
        try:
            with transaction.atomic():  # a savepoint: another publication may take the same second
                warning.save()
            break
        except IntegrityError:
            if attempt == 2:
                raise Conflict(_("预警状态已变化,请刷新后重试"), field="identifier") from None
    audit.record(
        "warnings.warning.publish", warning, actor=actor, before=before, after=audit.snapshot(warning, FIELDS)
    )
    if warning.original_id:
        _end_original(actor, warning)
    from ..fanout import publish_fanout

    publish_fanout(warning, areas)
    return warning


def _end_original(actor: Any, message: EarlyWarning) -> None:
    original = lock(message.original)
    if original.state != State.PUBLISHED:
        return  # it expired meanwhile: the chain is kept by `references` all the same
    before = audit.snapshot(original, FIELDS)
    cancelled = message.msg_type == MsgType.CANCEL
    original.state = State.CANCELLED if cancelled else State.SUPERSEDED
    original.ended_at = message.sent
    original.save(update_fields=["state", "ended_at"])
    audit.record(
        "warnings.warning.cancelled" if cancelled else "warnings.warning.superseded",
        original,
        actor=actor,
        before=before,
        after=audit.snapshot(original, FIELDS),
        note=message.identifier or "",
    )


@transaction.atomic
def do_follow_up(
    actor: Any,
    warning: EarlyWarning,
    msg_type: str,
    data: dict[str, Any] | None = None,
    areas: list[dict[str, Any]] | None = None,
) -> EarlyWarning:
    """Start an Update or a Cancel of a published warning: a new draft that references it."""
    if msg_type not in (MsgType.UPDATE, MsgType.CANCEL):
        raise ActionError(_("只能更新或解除"), field="msg_type")
    require(actor, "warnings.follow_up", warning, _("该预警不能更新或解除"))
    warning = lock(warning)
    _state_is(warning, State.PUBLISHED)
    data = data or {}
    content = {k: getattr(warning, k) for k in CONTENT} | {k: v for k, v in data.items() if k in CONTENT}
    if msg_type == MsgType.CANCEL:
        if "headline" not in data:
            content["headline"] = _("解除:%(headline)s") % {"headline": warning.headline}
        # A cancel ends now; its own expiry only bounds how long consumers show the all-clear.
        content["onset"] = None
        content["expires"] = max(warning.expires, timezone.now() + _ALL_CLEAR)
    content = clean_content(content)
    refs = " ".join(
        filter(
            None,
            [
                warning.references,
                rules.cap_reference(warning.sender, warning.identifier or "", cap.cap_time(warning.sent)),
            ],
        )
    )
    problem = rules.references_problem(msg_type, refs.split())
    assert problem is None, problem
    message = EarlyWarning.objects.create(
        division=warning.division,
        source=Source.STAFF,
        msg_type=msg_type,
        original=warning,
        references=refs,
        created_by=actor,
        sender_name=warning.sender_name,
        urgency=warning.urgency,
        certainty=warning.certainty,
        **content,
    )
    if areas is not None:
        _save_areas(message, clean_areas(areas, warning.division))
    else:
        WarningArea.objects.bulk_create(
            [
                WarningArea(
                    warning=message,
                    area_desc=a.area_desc,
                    division_id=a.division_id,
                    geocode=a.geocode,
                    polygon=a.polygon,
                    circle_lat=a.circle_lat,
                    circle_lon=a.circle_lon,
                    circle_radius_km=a.circle_radius_km,
                )
                for a in warning.areas.all()
            ]
        )
    audit.record(
        "warnings.warning.follow_up",
        message,
        actor=actor,
        after=audit.snapshot(message, FIELDS),
        note=warning.identifier or "",
    )
    return message


def expire_due(now: datetime | None = None) -> int:
    """End every published warning past its `expires` (the reconciler calls this every minute)."""
    now = now or timezone.now()
    done = 0
    for pk in EarlyWarning.objects.filter(state=State.PUBLISHED, expires__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            warning = EarlyWarning.objects.select_for_update().get(pk=pk)
            if warning.state != State.PUBLISHED or warning.expires > now:
                continue
            before = audit.snapshot(warning, FIELDS)
            warning.state = State.EXPIRED
            warning.ended_at = warning.expires
            warning.save(update_fields=["state", "ended_at"])
            audit.record(
                "warnings.warning.expire",
                warning,
                actor="system",
                before=before,
                after=audit.snapshot(warning, FIELDS),
            )
            done += 1
    return done
