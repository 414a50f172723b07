"""Console pages: the list, the drafting form, and one warning with the steps the person may take."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from pingan.core.actions import ActionError, get_visible_or_404
from pingan.core.permissions import ConsoleGate, allowed_names, console_view, may

from . import actions, selectors
from .choices import BroadcastStatus, Colour, MsgType, State
from .forms import WarningForm
from .models import EarlyWarning

STEPS = (
    "warnings.edit",
    "warnings.submit",
    "warnings.approve",
    "warnings.reject",
    "warnings.publish",
    "warnings.follow_up",
)


class WarningListView(ConsoleGate, ListView):
    permission = "warnings.view_list"
    template_name = "warnings/list.html"
    context_object_name = "items"
    paginate_by = 50

    def get_queryset(self) -> Any:
        qs = selectors.warnings_for(self.request.user)
        state = self.request.GET.get("state")
        if state in State.values:
            qs = qs.filter(state=state)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["states"] = State.choices
        ctx |= {"Colour": Colour, "State": State}
        ctx["state"] = self.request.GET.get("state", "")
        return ctx


@console_view("warnings.create")
def create(request: HttpRequest) -> HttpResponse:
    form = WarningForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            w = actions.do_create(request.user, form.cleaned_data["division"], form.content(), form.areas())
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("预警草稿已保存"))
            return redirect("warnings:detail", pk=w.pk)
    return render(request, "warnings/form.html", {"form": form})


@console_view("warnings.edit")
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a draft (a monitoring proposal is checked and completed here before it is submitted)."""
    w = get_visible_or_404(selectors.warnings_for(request.user), request.user, pk=pk)
    if not may(request.user, "warnings.edit", w):
        raise PermissionDenied
    towns = [a.division for a in w.areas.all() if a.division_id and a.division.level == "town"]
    polygon = next((a.polygon for a in w.areas.all() if a.polygon), None)
    initial = {
        k: getattr(w, k)
        for k in (
            "category",
            "event_code",
            "colour",
            "headline",
            "description",
            "instruction",
            "onset",
            "expires",
        )
    }
    initial |= {"division": w.division, "towns": towns, "polygon": json.dumps(polygon) if polygon else ""}
    form = WarningForm(request.POST or None, user=request.user, initial=initial, fixed_division=w.division)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_edit(request.user, w, form.content(), form.areas() or [])
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("预警草稿已保存"))
            return redirect("warnings:detail", pk=w.pk)
    return render(request, "warnings/form.html", {"form": form, "w": w})


@console_view("warnings.view")
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    w = get_visible_or_404(selectors.warnings_for(request.user), request.user, pk=pk)
    chain = []
    node = w.original
    while node is not None:  # short chains: one query per link is fine on a detail page
        chain.append(node)
        node = node.original
    return render(
        request,
        "warnings/detail.html",
        {
            "w": w,
            "areas": list(w.areas.all()),
            "chain": chain,
            "followups": list(w.followups.order_by("created_at")),
            "allowed": allowed_names(request.user, STEPS, w),
            "MsgType": MsgType,
            "Colour": Colour,
            "State": State,
            "plans_url": _plans_url(request.user, w),
        },
    )


def _plans_url(user: Any, w: EarlyWarning) -> str:
    """The emergency-plans module's matching plans for a warning in force, for those who may see them.
    By URL and permission name: warnings does not import plans."""
    from django.apps import apps

    if not w.is_active or not apps.is_installed("pingan.plans") or not may(user, "plans.view_matches", w):
        return ""
    return f"{reverse('plans:match')}?warning={w.pk}"


@require_POST
@console_view(None)
def step(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """One workflow step from the detail page's buttons; the actions decide (403/409/400 as messages)."""
    w = get_visible_or_404(EarlyWarning.objects.all(), request.user, pk=pk)
    note = request.POST.get("note", "")
    try:
        if verb == "submit":
            actions.do_submit(request.user, w)
        elif verb == "approve":
            actions.do_approve(request.user, w, note)
        elif verb == "reject":
            actions.do_reject(request.user, w, note)
        elif verb == "publish":
            actions.do_publish(request.user, w)
        elif verb in ("update", "cancel"):
            new = actions.do_follow_up(
                request.user, w, MsgType.UPDATE if verb == "update" else MsgType.CANCEL
            )
            messages.success(request, _("已起草,请核对后提交审批"))
            return redirect("warnings:detail", pk=new.pk)
        else:
            return HttpResponse(status=404)
    except ActionError as exc:
        if exc.status == 403:
            raise PermissionDenied from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已完成"))
    return redirect("warnings:detail", pk=w.pk)


@console_view("warnings.view_receipts")
def receipts(request: HttpRequest, pk: int) -> HttpResponse:
    """Who received what: the destinations of each message of the chain and the subscribers told."""
    from django.core.paginator import Paginator

    from pingan.notify.services import messages_about

    w = get_visible_or_404(selectors.warnings_for(request.user), request.user, pk=pk)
    if not may(request.user, "warnings.view_receipts", w):
        raise PermissionDenied
    broadcasts = list(w.broadcasts.select_related("department", "delivery").order_by("channel", "id"))
    people = Paginator(
        messages_about(reverse("warnings-public:detail", args=[w.identifier]), "warnings.")
        if w.identifier
        else [],
        50,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "warnings/receipts.html",
        {
            "w": w,
            "broadcasts": broadcasts,
            "people": people,
            "State": State,
            "BroadcastStatus": BroadcastStatus,
        },
    )
