"""Alarm triage reads: the analyst queue, false-alarm rates by dimension, threshold suggestions, and
the false-alarm figure of the command centre."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from . import triage_rules
from .models import Alarm, Reading, Rule
from .triage_models import AlarmTriage, RuleTriage, TriageMode, TriageState, Verdict

WINDOW_DAYS = 30
DECIDED = Q(triage__verdict__in=(Verdict.REAL, Verdict.FALSE))
FALSE = Q(triage__verdict=Verdict.FALSE)


def queue(user: Any) -> QuerySet[Alarm]:
    """Alarms waiting for an analyst: no verdict yet, or sent for a site check; newest first."""
    return (
        Alarm.objects.visible_to(user)
        .filter(
            Q(triage__isnull=True)
            | Q(triage__state__in=(TriageState.NEW, TriageState.CLAIMED, TriageState.SITE_CHECK))
        )
        .select_related("sensor__device", "rule", "division", "enterprise", "triage__claimed_by")
        .order_by("-severity", "-raised_at")
    )


def rates(user: Any, since: dt.datetime | None = None) -> dict[str, Any]:
    """False-alarm rate per device, sensor type, rule and enterprise (one query each), worst first."""
    since = since or timezone.now() - dt.timedelta(days=WINDOW_DAYS)
    base = Alarm.objects.visible_to(user).filter(raised_at__gte=since).filter(DECIDED)
    dims = {
        "device": ("sensor__device__code", "sensor__device__name"),
        "sensor_type": ("sensor__type", "sensor__type"),
        "rule": ("rule__code", "rule__name"),
        "enterprise": ("enterprise__id", "enterprise__name"),
    }
    out: dict[str, Any] = {}
    total = base.aggregate(n=Count("pk"), false=Count("pk", filter=FALSE))
    out["total"] = {**total, "rate": round(100 * total["false"] / total["n"], 1) if total["n"] else None}
    for dim, (key, label) in dims.items():
        rows = (
            base.values(key, label)
            .annotate(n=Count("pk"), false=Count("pk", filter=FALSE))
            .order_by("-false", key)
        )
        out[dim] = [
            {
                "key": r[key],
                "label": r[label] if r[label] is not None else "—",
                "n": r["n"],
                "false": r["false"],
                "rate": round(100 * r["false"] / r["n"], 1) if r["n"] else None,
            }
            for r in rows[:20]
        ]
    return out


def false_alarm_rate(user: Any, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """Command-centre figure: of the alarms judged in the period (real or false), the false share."""
    rows = (
        AlarmTriage.objects.visible_to(user)
        .filter(decided_at__gte=start, decided_at__lt=end, verdict__in=(Verdict.REAL, Verdict.FALSE))
        .values("alarm__division__path")
        .annotate(n=Count("pk"), false=Count("pk", filter=Q(verdict=Verdict.FALSE)))
    )
    return {r["alarm__division__path"]: (r["false"], r["n"]) for r in rows}


def _first_level(rule: Rule) -> tuple[int, dict[str, Any]] | None:
    levels = (rule.params or {}).get("levels") or []
    if not levels:
        return None
    i = min(range(len(levels)), key=lambda k: levels[k].get("severity", 9))
    return i, levels[i]


def suggestions(user: Any, limit: int = 5) -> list[dict[str, Any]]:
    """Threshold rules with the most false alarms in the last 30 days, each with the threshold that
    would have avoided them on those days' readings (peaks during each alarm), for an analyst to accept.
    Queries: one for the rules, then two per rule listed (at most `limit`)."""
    now = timezone.now()
    since = now - dt.timedelta(days=WINDOW_DAYS)
    top = (
        Alarm.objects.visible_to(user)
        .filter(raised_at__gte=since, rule__kind="threshold")
        .values("rule")
        .annotate(false=Count("pk", filter=FALSE), n=Count("pk", filter=DECIDED))
        .filter(false__gt=0)
        .order_by("-false")[:limit]
    )
    counts = {r["rule"]: r for r in top}
    out = []
    for rule in Rule.objects.filter(pk__in=list(counts)):
        level = _first_level(rule)
        if level is None:
            continue
        index, lv = level
        above = (rule.params or {}).get("direction", "above") != "below"
        alarms = list(
            Alarm.objects.visible_to(user)
            .filter(rule=rule, raised_at__gte=since)
            .filter(DECIDED)
            .values_list("pk", "sensor_id", "raised_at", "cleared_at", "trigger_value", "triage__verdict")
        )
        # The readings at or beyond the current threshold are the only ones that can be a peak.
        beyond = {"value__gte": lv["on"]} if above else {"value__lte": lv["on"]}
        readings: dict[int, list[tuple[dt.datetime, float]]] = defaultdict(list)
        for sensor_id, ts, value in Reading.objects.filter(
            sensor_id__in={a[1] for a in alarms}, ts__gte=since, **beyond
        ).values_list("sensor_id", "ts", "value"):
            readings[sensor_id].append((ts, value))
        false_peaks, real_peaks = [], []
        for _pk, sensor_id, raised, cleared, trigger, verdict in alarms:
            end = cleared or now
            seen = [v for ts, v in readings[sensor_id] if raised <= ts <= end]
            if trigger is not None:
                seen.append(trigger)
            if not seen:
                continue
            peak = max(seen) if above else min(seen)
            (false_peaks if verdict == Verdict.FALSE else real_peaks).append(peak)
        s = triage_rules.suggest_threshold(float(lv["on"]), false_peaks, real_peaks, above=above)
        out.append(
            {
                "rule": rule,
                "level": index,
                "false": counts[rule.pk]["false"],
                "n": counts[rule.pk]["n"],
                "s": s,
            }
        )
    out.sort(key=lambda d: -d["false"])
    return out


def rules_held_for_triage(rule_ids: set[int]) -> set[int]:
    """Of these rules, those triaged "before escalation" (one query): their new alarms wait."""
    return set(
        RuleTriage.objects.filter(rule_id__in=rule_ids, mode=TriageMode.BEFORE).values_list(
            "rule_id", flat=True
        )
    )


def holds_escalation(alarm: Alarm) -> bool:
    """A rule triaged "before escalation" pages nobody until an analyst finds the alarm real."""
    mode = RuleTriage.objects.filter(rule_id=alarm.rule_id).values_list("mode", flat=True).first()
    if mode != TriageMode.BEFORE:
        return False
    return not AlarmTriage.objects.filter(alarm=alarm, verdict=Verdict.REAL).exists()
