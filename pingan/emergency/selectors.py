"""Read queries for the views and the API (scoped, with their joins)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core.links import linked
from pingan.core.models import AuditEvent

from . import rules
from .bodies import find_body_of_user
from .choices import IncidentState, ReportState
from .duty import ROSTER_KEEPER_ROLES, recipients, scope_divisions
from .models import DutyPost, GradeChange, Handover, Incident, Report, SanfangReport, Shift, ShiftSwap


def incidents_for(user: Any) -> Any:
    return (
        Incident.objects.visible_to(user)
        .select_related("division", "owner_body")
        .annotate(
            n_due=Count("reports", filter=Q(reports__state=ReportState.DUE)),
            n_late=Count("reports", filter=Q(reports__is_late=True)),
        )
    )


def reports_for(user: Any) -> Any:
    return Report.objects.visible_to(user).select_related("incident", "sender", "receiver", "sent_by")


def console(user: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    """The duty console of the user's level: reports to send, reports received, re-grades, late.

    A read: it looks the user's reporting body up and never creates one (a level that has no body
    yet has nothing to send or receive)."""
    now = now or timezone.now()
    body = find_body_of_user(user)
    reports = reports_for(user)
    if body is not None and not user.sees_everything:
        to_send = reports.filter(sender=body, state=ReportState.DUE)
        received = reports.filter(receiver=body, state=ReportState.SENT)
    else:
        to_send = reports.filter(state=ReportState.DUE, sender__department__isnull=False)
        received = reports.filter(state=ReportState.SENT, sender__isnull=False)
    to_send = list(to_send.order_by("due_at")[:50])
    for r in to_send:
        r.overdue = r.due_at < now
    late = list(
        reports.filter(Q(is_late=True) | Q(state=ReportState.DUE, due_at__lt=now)).order_by("-due_at")[:20]
    )
    regrades = list(
        GradeChange.objects.visible_to(user)
        .exclude(from_grade="")
        .select_related("incident", "by")
        .order_by("-at")[:20]
    )
    open_incidents = list(incidents_for(user).filter(state=IncidentState.OPEN).order_by("-occurred_at")[:20])
    posts = DutyPost.objects.visible_to(user).filter(is_active=True)
    if not user.sees_everything and user.department_id:
        posts = posts.filter(department=user.department_id)
    elif not user.sees_everything and user.division_id:
        posts = posts.filter(division=user.division_id)
    shifts = list(
        Shift.objects.visible_to(user)
        .filter(post__in=posts, starts_at__lte=now, ends_at__gt=now)
        .select_related("post", "leader")
        .prefetch_related("officers")[:10]
    )
    return {
        "body": body,
        "to_send": to_send,
        "received": list(received.order_by("-sent_at")[:20]),
        "late": late,
        "regrades": regrades,
        "open_incidents": open_incidents,
        "shifts": shifts,
    }


def incident_timeline(incident: Incident) -> list[dict[str, Any]]:
    """Reports, decisions, links (alarms, resources, warnings) and the audit trail in one list."""
    from pingan.core.templatetags.pingan import ACTION_LABELS

    items: list[dict[str, Any]] = []
    for ev in AuditEvent.objects.for_object(incident):
        if ev.action == "emergency.incident.response":
            continue  # shown from the response changes below
        items.append(
            {
                "at": ev.at,
                "kind": "audit",
                "action": ACTION_LABELS.get(ev.action, ev.action),
                "who": ev.actor_label,
                "note": ev.note,
                "after": ev.after,
            }
        )
    for r in incident.reports.all():
        if r.sent_at:
            items.append(
                {
                    "at": r.sent_at,
                    "kind": "report",
                    "report": r,
                    "who": r.sent_by.display_name if r.sent_by else (r.sender.name if r.sender else ""),
                    "note": f"{r.sender or r.get_sender_level_display()} → {r.receiver}",
                }
            )
    for change in incident.response_changes.all():
        items.append(
            {
                "at": change.at,
                "kind": "response",
                "change": change,
                "who": change.by.display_name if change.by else "",
                "note": change.note,
            }
        )
    for kind, other in linked(incident):
        at = getattr(other, "created_at", None) or getattr(other, "at", None) or incident.created_at
        items.append(
            {
                "at": at,
                "kind": "link",
                "link_kind": kind,
                "object": other,
                "model": other._meta.verbose_name,
                "note": str(other),
            }
        )
    # objects of other apps that point at the incident (rescue mobilisations, warnings …)
    for rel in Incident._meta.related_objects:
        if rel.related_model._meta.app_label == "emergency" or not rel.one_to_many:
            continue
        for other in rel.related_model._default_manager.filter(**{rel.field.name: incident})[:20]:
            at = getattr(other, "created_at", None) or getattr(other, "at", None) or incident.created_at
            items.append(
                {
                    "at": at,
                    "kind": "link",
                    "link_kind": rel.field.name,
                    "object": other,
                    "model": other._meta.verbose_name,
                    "note": str(other),
                }
            )
    items.sort(key=lambda i: i["at"])
    return items


def roster(post: DutyPost, start: dt.datetime, days: int = 14, user: Any = None) -> list[Shift]:
    """The post's shifts from `start` (scoped to `user` when shown to someone)."""
    from django.contrib.auth import get_user_model

    shifts = Shift.objects.all() if user is None else Shift.objects.visible_to(user)
    return list(
        shifts.filter(post=post, ends_at__gt=start, starts_at__lt=start + dt.timedelta(days=days))
        .select_related("leader")
        .prefetch_related(Prefetch("officers", queryset=get_user_model().objects.order_by("pk")))
        .order_by("starts_at")
    )


def gaps(post: DutyPost, start: dt.datetime, hours: int = 72) -> list[tuple[dt.datetime, dt.datetime]]:
    """Periods in the coming `hours` when the post has no shift with an officer."""
    end = start + dt.timedelta(hours=hours)
    shifts = roster(post, start, days=hours // 24 + 1)
    rows = [(s.starts_at, s.ends_at, len(s.officers.all()) >= post.min_officers) for s in shifts]
    return rules.coverage_gaps(rows, start, end)


def notify_gaps(now: dt.datetime | None = None) -> int:
    from pingan.notify.services import notify

    now = now or timezone.now()
    sent = 0
    for post in DutyPost.objects.filter(is_active=True).select_related("department"):
        found = gaps(post, now)
        if not found:
            continue
        s, _e = found[0]
        people = recipients(post.department_id, ROSTER_KEEPER_ROLES)
        notify(
            people,
            event="emergency.roster.gap",
            title=_("%(post)s:%(at)s起无人值班")
            % {"post": post.name, "at": f"{timezone.localtime(s):%m-%d %H:%M}"},
            url=reverse("emergency:roster", args=[post.pk]),
        )
        sent += 1
    return sent


def sanfang_board(response: Any, user: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    """HQ view: for each slot, which member units have reported, late, or not yet (as far as the
    user may see them)."""
    now = now or timezone.now()
    items = list(
        SanfangReport.objects.visible_to(user)
        .filter(response=response)
        .select_related("department", "submitted_by")
        .order_by("-due_at", "department__name")
    )
    missing = [i for i in items if i.submitted_at is None and i.due_at <= now]
    pending = [i for i in items if i.submitted_at is None and i.due_at > now]
    return {"items": items, "missing": missing, "pending": pending}


def roster_page(post: DutyPost, user: Any, now: dt.datetime) -> dict[str, Any]:
    """A post's roster page: every list of people goes through `visible_to(user)`."""
    from django.contrib.auth import get_user_model

    return {
        "shifts": roster(post, now - dt.timedelta(days=1), days=15, user=user),
        "gaps": gaps(post, now),
        "handovers": list(
            Handover.objects.visible_to(user)
            .filter(post=post)
            .select_related("handed_by", "received_by")[:20]
        ),
        "swaps": list(
            ShiftSwap.objects.visible_to(user)
            .filter(shift__post=post)
            .select_related("shift", "shift__post", "from_user", "to_user", "requested_by")[:20]
        ),
        "rotations": list(post.rotations.all()),
        "people": list(
            get_user_model()
            .objects.visible_to(user)
            .filter(department=post.department_id, is_active=True)
            .order_by("username")
        ),
    }


def duty_division(user: Any, pk: int) -> Any:
    """The division `pk` if the user may ask who is on duty for it, else None (→ 404)."""
    return scope_divisions(user).filter(pk=pk).first()


def duty_department(user: Any, pk: int) -> Any:
    """The department `pk` if its duty posts are in the user's scope, else None (→ 404)."""
    from pingan.org.models import Department

    return (
        Department.objects.filter(pk=pk, division__in=scope_divisions(user).values("pk"))
        .select_related("division")
        .first()
    )
