from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import generic

from .models import AuditEvent, Deadline


class StaffRequiredMixin(LoginRequiredMixin):
    """Console pages: signed-in people of a government role."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not request.user.is_staff_role:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ScopedListView(StaffRequiredMixin, generic.ListView):
    """A list page that only ever shows what `visible_to(user)` allows."""

    paginate_by = 50

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().visible_to(self.request.user)


class ScopedDetailView(StaffRequiredMixin, generic.DetailView):
    """A detail page: out of scope is the same 404 as missing."""

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().visible_to(self.request.user)


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect(reverse("login") + "?next=" + request.path)
    if not user.is_staff_role:
        return redirect("portal:home")
    from pingan.notify.models import Message

    now = timezone.now()
    inbox = list(Message.objects.visible_to(user)[:8])
    tasks = Deadline.objects.visible_to(user).filter(met_at=None, cancelled_at=None)
    if user.department_id:
        tasks = tasks.filter(department=user.department_id) | tasks.filter(assignee=user)
    else:
        tasks = tasks.filter(assignee=user) if not user.sees_everything else tasks
    tasks = list(tasks.select_related("department").order_by("due_at")[:10])
    for t in tasks:
        t.overdue = t.due_at < now
    layers = [{"url": reverse("geo-api:division-geojson") + "?level=district", "name": "区县 Districts",
               "kind": "boundary", "labels": True, "fit": True}]
    return render(request, "core/home.html", {"inbox": inbox, "tasks": tasks, "layers": layers})


class AuditListView(ScopedListView):
    model = AuditEvent
    template_name = "core/audit_list.html"
    context_object_name = "events"
