"""The portal's page of the enterprises' daily safety commitments (承诺公告): public by design."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .models import PublishedCommitment


def commitments(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        day = dt.date.fromisoformat(request.GET.get("day", "")) if request.GET.get("day") else today
    except ValueError:
        day = today
    rows = (
        PublishedCommitment.objects.visible_to(request.user)
        .filter(day=day)
        .select_related("enterprise", "division")
        .order_by("enterprise__name")[:500]
    )
    return render(request, "risks/public/commitments.html", {"rows": rows, "day": day, "today": today})
