from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .models import Message


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    qs = Message.objects.visible_to(request.user)
    if request.GET.get("unread"):
        qs = qs.unread()
    return render(request, "notify/inbox.html", {"messages_list": qs[:200]})


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(Message.objects.visible_to(request.user), pk=pk)
    if message.read_at is None:
        Message.objects.filter(pk=message.pk).update(read_at=timezone.now())
    return redirect(message.url or "notify:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    Message.objects.visible_to(request.user).unread().update(read_at=timezone.now())
    return redirect("notify:inbox")
