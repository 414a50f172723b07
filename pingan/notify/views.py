from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pingan.core.actions import ActionError
from pingan.core.permissions import console_view

from . import actions
from .choices import DeliveryStatus
from .forms import PreferenceForm
from .models import Delivery, Message

PAGE_SIZE = 30


@console_view("notify.view_inbox")
def inbox(request: HttpRequest) -> HttpResponse:
    qs = Message.objects.visible_to(request.user)
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        qs = qs.unread()
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/inbox.html",
        {
            "page_obj": page,
            "messages_list": page.object_list,
            "is_paginated": page.has_other_pages(),
            "unread_only": unread_only,
        },
    )


def _safe_target(request: HttpRequest, url: str) -> str:
    """The message's own link, if it is on this site (messages carry links to the console)."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


@console_view("notify.view_inbox")
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    message = actions.do_mark_read(request.user, pk)
    if request.POST.get("open") and (target := _safe_target(request, message.url)):
        return redirect(target)
    return redirect(
        request.POST.get("next") if _safe_target(request, request.POST.get("next", "")) else "notify:inbox"
    )


@console_view("notify.view_inbox")
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = actions.do_mark_all_read(request.user)
    flash.success(request, _("已将 %(count)d 条消息标为已读") % {"count": count})
    return redirect("notify:inbox")


@console_view("notify.edit_preferences")
def preferences(request: HttpRequest) -> HttpResponse:
    pref = actions.preference_of(request.user)
    form = PreferenceForm.for_preference(pref, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_preference(request.user, form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            flash.success(request, _("通知设置已保存"))
            return redirect("notify:preferences")
    recent = (
        Delivery.objects.filter(message__recipient=request.user)
        .select_related("message")
        .order_by("-created_at", "-id")[:20]
    )
    return render(
        request,
        "notify/preferences.html",
        {
            "form": form,
            "pref": pref,
            "deliveries": recent,
            "has_email": bool(request.user.email),
            "has_phone": bool(getattr(request.user, "phone", "")),
            "status_choices": DeliveryStatus,
        },
    )


@console_view("notify.send_test")
@require_POST
def send_test(request: HttpRequest) -> HttpResponse:
    try:
        actions.do_send_test(request.user)
    except ActionError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, _("测试通知已发出,请查看各渠道是否收到"))
    return redirect("notify:preferences")
