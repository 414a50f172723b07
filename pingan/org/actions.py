"""State changes of people and organisations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from pingan.core import audit

from .models import User


def is_locked(user: User, now: Any = None) -> bool:
    now = now or timezone.now()
    return bool(user.locked_until and user.locked_until > now)


@transaction.atomic
def do_record_login_failure(username: str) -> User | None:
    """Count a failed password for an existing account; lock it at the limit (audited)."""
    user = User.objects.select_for_update().filter(username=username).first()
    if user is None:
        return None
    now = timezone.now()
    if user.locked_until and user.locked_until <= now:
        user.failed_logins = 0  # a lock that has run out starts a fresh count
    user.failed_logins = F("failed_logins") + 1
    user.save(update_fields=["failed_logins"])
    user.refresh_from_db(fields=["failed_logins", "locked_until"])
    audit.record("org.user.login_failed", user, actor=None, after={"failed_logins": user.failed_logins})
    if user.failed_logins >= settings.LOGIN_FAILURE_LIMIT and not is_locked(user, now):
        user.locked_until = now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        user.save(update_fields=["locked_until"])
        audit.record("org.user.locked", user, actor=None, after={"locked_until": user.locked_until})
    return user


@transaction.atomic
def do_record_login_success(user: User) -> None:
    if user.failed_logins or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    audit.record("org.user.login", user, actor=user)


@transaction.atomic
def do_unlock(actor: User, user: User) -> None:
    before = {"locked_until": user.locked_until, "failed_logins": user.failed_logins}
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    audit.record("org.user.unlocked", user, actor=actor, before=before, after={"locked_until": None})
