"""State changes of the notification module: reading messages, changing one's channels.

Marking a message read is not audited: `read_at` is itself the record (set once, never cleared),
and an audit row per click would swamp the log. A change of channels is audited (where a person's
notifications go is security-relevant); the secret is never written to the audit log.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit
from pingan.core.actions import ActionError, get_visible_or_404, lock
from pingan.core.permissions import require

from .models import Message, Preference
from .services import notify

PREF_FIELDS = ["email", "sms", "webhook_url", "webhook_kind"]


def _audit_view(pref: Preference) -> dict[str, Any]:
    return {**audit.snapshot(pref, PREF_FIELDS), "webhook_secret_set": bool(pref.webhook_secret)}


def do_mark_read(actor: Any, message_id: int) -> Message:
    """Mark one of the actor's own messages read (another person's message: 404)."""
    message = get_visible_or_404(Message.objects.all(), actor, pk=message_id)
    if message.read_at is None:
        now = timezone.now()
        # Conditional: a second click (or a concurrent one) keeps the first read time.
        Message.objects.filter(pk=message.pk, read_at=None).update(read_at=now)
        message.refresh_from_db(fields=["read_at"])
    return message


def do_mark_all_read(actor: Any) -> int:
    return Message.objects.visible_to(actor).unread().update(read_at=timezone.now())


def preference_of(user: Any) -> Preference:
    """The person's preference row, or an unsaved one with the defaults."""
    try:
        return Preference.objects.get(user=user)
    except Preference.DoesNotExist:
        return Preference(user=user)


def _apply(pref: Preference, changes: dict[str, Any]) -> Preference:
    stored_secret, stored_kind = pref.webhook_secret, pref.webhook_kind
    for name in PREF_FIELDS:
        if name in changes:
            setattr(pref, name, changes[name] if changes[name] is not None else "")
    new_secret = changes.get("webhook_secret") or ""
    if new_secret:
        pref.webhook_secret = new_secret
    elif (
        changes.get("clear_webhook_secret")
        or not pref.webhook_url
        or pref.webhook_kind != stored_kind
        or pref.webhook_kind == "wecom"
    ):
        pref.webhook_secret = ""
    else:
        pref.webhook_secret = stored_secret
    pref.full_clean(exclude=["user"])  # Django ValidationError naming the field → 400 / form errors
    return pref


def check_update_preference(actor: Any, changes: dict[str, Any]) -> Preference:
    """Validate `changes` applied to the actor's preference; returns the unsaved result.

    The secret is write-only: an empty or missing `webhook_secret` keeps the stored one, unless
    `clear_webhook_secret` is set, the webhook is removed, or its format changes.
    """
    if not getattr(actor, "is_authenticated", False):
        raise ActionError(_("请先登录"), code="not_authenticated")
    return _apply(preference_of(actor), changes)


@transaction.atomic
def do_update_preference(actor: Any, changes: dict[str, Any]) -> Preference:
    check_update_preference(actor, changes)
    # One row per person even when two first saves race (get_or_create absorbs the loser's
    # IntegrityError); then the row is locked and the change re-applied to what is stored now.
    row, created = Preference.objects.get_or_create(user=actor)
    row = lock(row)
    before = None if created else _audit_view(row)
    pref = _apply(row, changes)
    pref.save()
    audit.record(
        "notify.preference.update",
        pref,
        actor=actor,
        before=before,
        after=_audit_view(pref),
        division_path=getattr(actor, "scope_path", "") or "",
    )
    return pref


TEST_INTERVAL = 60  # seconds between two test notifications of one person


def check_send_test(actor: Any) -> None:
    require(actor, "notify.send_test")
    since = timezone.now() - datetime.timedelta(seconds=TEST_INTERVAL)
    if Message.objects.filter(recipient=actor.pk, event="notify.test", created_at__gte=since).exists():
        raise ActionError(_("测试通知发送过于频繁,请一分钟后再试"), code="throttled")


def do_send_test(actor: Any) -> Message:
    """Send the actor a test notification over every channel they configured (urgent, so SMS too)."""
    check_send_test(actor)
    with transaction.atomic():
        messages = notify(
            [actor],
            event="notify.test",
            title=_("测试通知"),
            urgent=True,
            body=_("这是一条测试通知,用于检查您的通知渠道设置是否正确。"),
            url="/console/inbox/",
        )
    return messages[0]
