"""Read queries for the views and the API (scoped, with their joins done once)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from .choices import PUBLIC_STATES
from .models import EarlyWarning, Subscription, WarningArea

_AREAS = Prefetch("areas", queryset=WarningArea.objects.select_related("division"))


def warnings_for(user: Any) -> QuerySet[EarlyWarning]:
    """The warnings a staff member may see (their area and the areas above it)."""
    return (
        EarlyWarning.objects.visible_to(user)
        .select_related("division", "original", "created_by", "approved_by")
        .prefetch_related(_AREAS)
    )


def public_warnings() -> QuerySet[EarlyWarning]:
    """Messages that were made public (drafts and approvals never leave the console)."""
    return (
        EarlyWarning.objects.filter(state__in=PUBLIC_STATES, identifier__isnull=False)
        .select_related("division")
        .prefetch_related(_AREAS)
        .order_by("-sent", "-id")
    )


def active_warnings() -> QuerySet[EarlyWarning]:
    return (
        EarlyWarning.objects.active()
        .select_related("division")
        .prefetch_related(_AREAS)
        .order_by("-sent", "-id")
    )


def subscriptions_for(user: Any) -> QuerySet[Subscription]:
    return Subscription.objects.visible_to(user).select_related("division", "user")
