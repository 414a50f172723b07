"""What other apps may call in the warnings module.

- `propose_from_rainstorm(...)`: monitoring proposes a draft when it computes a national rainstorm
  signal from rainfall (the duty officer reviews, the level's leader approves, then it is published).
- `draft_from_alarm(...)`: an analyst found a monitoring alarm real (研判) and continues to a warning
  draft (the analyst writes it, so `warnings.create` for the area is asked; then review as usual).
  `event_for_sensor(type)` says which sensor types have a warning event at all.
- `notify_subscribers(...)`: used on publication; subscribers of the townships in the warning's areas.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.geo.models import Division

from . import rules
from .choices import Category, Source, State
from .models import EarlyWarning

# The colour words of headlines (暴雨橙色预警), without the level numbers of the choice labels.
COLOUR_NAMES = {
    "red": gettext_lazy("红色"),
    "orange": gettext_lazy("橙色"),
    "yellow": gettext_lazy("黄色"),
    "blue": gettext_lazy("蓝色"),
}
# How long a proposed rainstorm warning lasts unless the writer changes it.
RAINSTORM_DEFAULT_HOURS = {"red": 3, "orange": 3, "yellow": 6, "blue": 12}
FLOOD_DEFAULT_HOURS = 12


def propose_from_rainstorm(
    signal: str,
    division: Division | int,
    *,
    rain_mm: float,
    hours: float,
    observed_at: datetime | None = None,
    station: str = "",
) -> EarlyWarning | None:
    """A draft warning from a national rainstorm signal monitoring computed from rainfall (§8).

    Only national signals are accepted (`signal` is one of rules.NATIONAL_RAINSTORM's colours and must
    agree with the rainfall): Guangdong's signals come from the weather bureau's feed, never from here.
    One open proposal per division: a stronger signal raises the open draft's colour, a weaker or equal
    one is absorbed. Returns the draft (None when the signal does not follow from the rainfall).
    """
    if rules.rainstorm_signal(rain_mm, hours) != signal:
        return None
    if not isinstance(division, Division):
        division = Division.objects.get(pk=division)
    observed_at = observed_at or timezone.now()
    open_draft = _open_proposal(division, rules.RAINSTORM)
    where = f"{station}({division.name})" if station else division.name
    data = {
        "category": Category.NATURAL,
        "event_code": rules.RAINSTORM,
        "colour": signal,
        "headline": _("%(place)s暴雨%(colour)s预警")
        % {"place": division.name, "colour": COLOUR_NAMES[signal]},
        "description": _(
            "%(where)s %(hours)s 小时累计降雨 %(rain)s 毫米,达到国家暴雨%(colour)s预警信号标准。"
        )
        % {"where": where, "hours": f"{hours:g}", "rain": f"{rain_mm:g}", "colour": COLOUR_NAMES[signal]},
        "instruction": _("注意防范城乡积涝和山洪、滑坡等地质灾害;危险地带人员及时转移。"),
        "onset": observed_at,
        "expires": max(observed_at, timezone.now()) + timedelta(hours=RAINSTORM_DEFAULT_HOURS[signal]),
    }
    return _propose(open_draft, division, data, where)


def propose_from_water_level(
    colour: str,
    division: Division | int,
    *,
    level_m: float,
    observed_at: datetime | None = None,
    station: str = "",
) -> EarlyWarning | None:
    """A draft flood warning when monitoring finds a water level over a threshold level of its rule
    (colour from the rule's level: 超警戒 yellow, 超保证 red in the default rules). Same one-open-draft
    rule as rainstorms: a higher level raises the open draft, a lower or equal one is absorbed."""
    if colour not in rules.LEVEL_BY_COLOUR:
        return None
    if not isinstance(division, Division):
        division = Division.objects.get(pk=division)
    observed_at = observed_at or timezone.now()
    where = f"{station}({division.name})" if station else division.name
    data = {
        "category": Category.NATURAL,
        "event_code": rules.FLOOD,
        "colour": colour,
        "headline": _("%(place)s洪水%(colour)s预警")
        % {"place": division.name, "colour": COLOUR_NAMES[colour]},
        "description": _("%(where)s 水位 %(level)s 米,超过监测规则的%(colour)s级水位。")
        % {"where": where, "level": f"{level_m:g}", "colour": COLOUR_NAMES[colour]},
        "instruction": _("远离河道、低洼地带;沿河危险区域人员及时转移。"),
        "onset": observed_at,
        "expires": max(observed_at, timezone.now()) + timedelta(hours=FLOOD_DEFAULT_HOURS),
    }
    return _propose(_open_proposal(division, rules.FLOOD), division, data, where)


# The warning event (GB/T 35965.1) a monitoring sensor type's real alarm can be published as. Other
# sensor types (gas, pressure, structures …) have no public warning event: their alarms continue to a
# hazard case or an incident instead.
EVENT_BY_SENSOR = {"rainfall": rules.RAINSTORM, "water_level": rules.FLOOD, "wind": "11B06"}
COLOUR_BY_LEVEL = {1: "blue", 2: "yellow", 3: "orange", 4: "red"}
ALARM_DRAFT_HOURS = 6


def event_for_sensor(sensor_type: str) -> str | None:
    return EVENT_BY_SENSOR.get(sensor_type)


def draft_from_alarm(
    actor: Any,
    division: Division,
    *,
    sensor_type: str,
    level: int,
    description: str,
    observed_at: datetime | None = None,
    note: str = "",
) -> EarlyWarning:
    """A draft warning written by `actor` from a monitoring alarm they found real (triage). The colour
    follows the alarm's level (1 blue … 4 red); the writer edits it before submitting it for review.
    Refused (Forbidden) to one who may not draft warnings for the area; ActionError for a sensor type
    without a warning event. Audited as `warnings.warning.draft_from_alarm`."""
    from pingan.core.actions import ActionError

    from .actions import do_create

    code = event_for_sensor(sensor_type)
    if code is None:
        raise ActionError(_("该类监测报警没有对应的预警事件"), field="outcome", code="invalid_choice")
    colour = COLOUR_BY_LEVEL.get(int(level or 0), "blue")
    observed_at = observed_at or timezone.now()
    data = {
        "category": Category.NATURAL,
        "event_code": code,
        "colour": colour,
        "headline": _("%(place)s%(event)s%(colour)s预警")
        % {"place": division.name, "event": rules.event_name(code), "colour": COLOUR_NAMES[colour]},
        "description": description,
        "instruction": "",
        "onset": observed_at,
        "expires": max(observed_at, timezone.now()) + timedelta(hours=ALARM_DRAFT_HOURS),
    }
    return do_create(
        actor,
        division,
        data,
        source=Source.MONITORING,
        audit_action="warnings.warning.draft_from_alarm",
        note=note,
    )


def _open_proposal(division: Division, event_code: str) -> EarlyWarning | None:
    return (
        EarlyWarning.objects.filter(
            source=Source.MONITORING,
            division=division,
            event_code=event_code,
            state__in=(State.DRAFT, State.REVIEW),
        )
        .order_by("-created_at")
        .first()
    )


def _propose(
    open_draft: EarlyWarning | None, division: Division, data: dict[str, Any], where: str
) -> EarlyWarning:
    from .actions import do_create

    if open_draft is not None:
        if rules.LEVEL_BY_COLOUR[data["colour"]] >= rules.LEVEL_BY_COLOUR.get(open_draft.colour, 5):
            return open_draft
        if open_draft.state == State.DRAFT:
            return _raise_draft(open_draft, data)
        return open_draft
    return do_create(
        None,
        division,
        data,
        source=Source.MONITORING,
        audit_action="warnings.warning.propose",
        audit_actor="system:monitoring",
        note=where,
    )


def _raise_draft(draft: EarlyWarning, data: dict[str, Any]) -> EarlyWarning:
    """Raise an open monitoring draft to a stronger signal (no person acts: audited as the system)."""
    from django.db import transaction

    from pingan.core import audit
    from pingan.core.actions import lock

    from .actions import FIELDS, clean_content

    with transaction.atomic():
        draft = lock(draft)
        before = audit.snapshot(draft, FIELDS)
        for k, v in clean_content(data).items():
            setattr(draft, k, v)
        draft.save()
        audit.record(
            "warnings.warning.edit",
            draft,
            actor="system:monitoring",
            before=before,
            after=audit.snapshot(draft, FIELDS),
        )
    return draft


def subscribe_township(user: Any, division: Division) -> Any:
    """Subscribe a person to a township's warnings on another module's behalf (a volunteer registered
    by the township's staff receives the warnings of their township). Idempotent; audited."""
    from pingan.core import audit

    from .models import Subscription

    sub, created = Subscription.objects.get_or_create(user=user, division=division)
    if created:
        audit.record(
            "warnings.subscription.create", sub, actor="system:culture", after={"division": division.code}
        )
    return sub


def visible_warnings(user: Any) -> Any:
    """Warnings `user` may see (scoped); `.active()` narrows to those in force now (plans match them)."""
    return EarlyWarning.objects.visible_to(user)


# Who is told lives in fanout.py (actions publish through it); re-exported for other apps.
from .fanout import notify_subscribers, subscribers, townships_in  # noqa: E402

__all__ = [
    "draft_from_alarm",
    "event_for_sensor",
    "notify_subscribers",
    "propose_from_rainstorm",
    "propose_from_water_level",
    "subscribe_township",
    "subscribers",
    "townships_in",
    "visible_warnings",
]
