"""The daily safety commitment of the enterprises with a major hazard source."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit, deadlines
from pingan.core.actions import ActionError, Conflict
from pingan.core.audit import snapshot
from pingan.core.permissions import require

from .. import rules
from ..models import Commitment
from .common import COMMITMENT_KIND, _person, _required


def required_enterprises() -> Any:
    """Enterprises that must commit daily: those with at least one major hazard source (§12)."""
    from pingan.org.models import Enterprise

    return Enterprise.objects.filter(
        is_active=True, major_hazard_sources__grade__in=["1", "2", "3", "4"]
    ).distinct()


def open_commitment_day(day: dt.date) -> int:
    """Create the day's commitment deadline of every required enterprise (idempotent)."""
    from django.contrib.contenttypes.models import ContentType

    from pingan.core.models import Deadline
    from pingan.org.models import Enterprise

    due = rules.commitment_due(day)
    ct = ContentType.objects.get_for_model(Enterprise)
    have = set(
        Deadline.objects.filter(kind=COMMITMENT_KIND, content_type=ct, data__day=day.isoformat()).values_list(
            "object_id", flat=True
        )
    )
    done = set(Commitment.objects.filter(day=day).values_list("enterprise_id", flat=True))
    made = 0
    for ent in required_enterprises().select_related("division"):
        if str(ent.pk) in have or ent.pk in done:
            continue
        deadlines.create(
            ent,
            kind=COMMITMENT_KIND,
            title=_("每日安全承诺: %(name)s") % {"name": ent.name},
            due_at=due,
            starts_at=min(timezone.now(), due),
            division=ent.division,
            remind_before=dt.timedelta(hours=1),
            data={"day": day.isoformat(), "enterprise": ent.pk},
        )
        made += 1
    return made


def check_submit_commitment(
    actor: Any, enterprise: Any, *, text: str, signed_by: str, special_work: Mapping[str, Any] | None
) -> dict[str, int]:
    require(actor, "risks.submit_commitment", enterprise, _("只能提交本单位的安全承诺"))
    _required(text, "text", _("请填写承诺内容"))
    _required(signed_by, "signed_by", _("请填写承诺人"))
    from ..choices import SpecialWork

    counts: dict[str, int] = {}
    for key, value in (special_work or {}).items():
        if key not in SpecialWork.values:
            raise ActionError(_("未知的特殊作业类型"), field=f"special_work.{key}", code="invalid_choice")
        try:
            n = int(value)
        except (TypeError, ValueError):
            n = -1
        if n < 0 or str(n) != str(value).strip():
            raise ActionError(_("作业数量必须是非负整数"), field=f"special_work.{key}", code="min_value")
        counts[key] = n
    return counts


@transaction.atomic
def do_submit_commitment(
    actor: Any,
    enterprise: Any,
    *,
    text: str,
    signed_by: str,
    day: dt.date | None = None,
    units_running: int = 0,
    units_stopped: int = 0,
    units_maintenance: int = 0,
    special_work: Mapping[str, Any] | None = None,
    trial_production: bool = False,
    sources_state: str = "",
    at: dt.datetime | None = None,
) -> Commitment:
    counts = check_submit_commitment(
        actor, enterprise, text=text, signed_by=signed_by, special_work=special_work
    )
    at = at or timezone.now()
    day = day or timezone.localdate(at)
    if day > timezone.localdate(at):
        raise ActionError(_("不能提前提交以后日期的承诺"), field="day", code="future")
    try:
        with transaction.atomic():
            row = Commitment.objects.create(
                enterprise=enterprise,
                division=enterprise.division,
                day=day,
                submitted_at=at,
                submitted_by=_person(actor),
                on_time=rules.commitment_on_time(at, day),
                units_running=units_running,
                units_stopped=units_stopped,
                units_maintenance=units_maintenance,
                special_work=counts,
                trial_production=bool(trial_production),
                sources_state=sources_state,
                text=text.strip(),
                signed_by=signed_by.strip(),
            )
    except IntegrityError as exc:
        raise Conflict(_("本单位当日已提交承诺"), field="day") from exc
    from pingan.core.models import Deadline

    Deadline.objects.filter(
        kind=COMMITMENT_KIND,
        object_id=str(enterprise.pk),
        data__day=day.isoformat(),
        met_at=None,
        cancelled_at=None,
    ).update(met_at=at)
    audit.record(
        "risks.commitment.submit",
        row,
        actor=actor,
        after=snapshot(
            row, ["day", "on_time", "units_running", "units_stopped", "units_maintenance", "trial_production"]
        ),
    )
    return row
