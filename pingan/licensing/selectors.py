"""Read queries for the pages and the API: scoped through `visible_to`, constant in queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from .models import Application, ClockStop, Licence


def applications(user: Any) -> QuerySet[Application]:
    return (
        Application.objects.visible_to(user)
        .select_related("enterprise", "division")
        .prefetch_related(Prefetch("stops", queryset=ClockStop.objects.order_by("started_on", "pk")))
        .order_by("-received_at", "-pk")
    )


def licences(user: Any) -> QuerySet[Licence]:
    return (
        Licence.objects.visible_to(user)
        .select_related("enterprise", "division")
        .order_by("-issued_at", "-pk")
    )


def track(number: str, uscc: str) -> Application | None:
    """The portal's tracking: the number and the applicant's credit code must both match."""
    if not number or not uscc:
        return None
    return (
        Application.objects.select_related("enterprise")
        .filter(number=number.strip().upper(), enterprise__uscc=uscc.strip().upper())
        .first()
    )
