"""Writing audit events. Called by the actions layer inside the transaction of the change."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .context import current_origin
from .models import AuditEvent

ANONYMOUS = "anonymous"


def jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if hasattr(value, "read"):  # a file field
        return getattr(value, "name", None) or None
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of `obj` as JSON values (FKs as their ids)."""
    out: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = jsonable(getattr(obj, attname))
    return out


def record(
    action: str,
    obj: models.Model | None,
    *,
    actor: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
    division_path: str | None = None,
) -> AuditEvent:
    """Append one audit event. `action` is dotted: "<app>.<object>.<verb>"."""
    origin = current_origin()
    if division_path is None and obj is not None:
        division_path = _division_path_of(obj)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    if actor_obj is not None:
        label = actor_obj.get_username()
    elif actor is not None and hasattr(actor, "is_authenticated"):
        label = ANONYMOUS  # an anonymous visitor (e.g. a public report)
    else:
        label = str(actor) if actor else ""  # a named system actor ("device:GAS-001") or nobody
    return AuditEvent.objects.create(
        actor=actor_obj,
        actor_label=label[:150],
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        division_path=division_path or "",
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        note=note,
        channel=origin.channel,
        ip=origin.ip,
        request_id=origin.request_id,
    )


def _division_path_of(obj: models.Model) -> str:
    path = getattr(obj, "scope_division", None)
    if not path:
        return getattr(obj, "path", "") if obj._meta.label == "geo.Division" else ""
    target: Any = obj
    for part in path.split("__"):
        target = getattr(target, part, None)
        if target is None:
            return ""
    return getattr(target, "path", "")


# --- Logins -------------------------------------------------------------------------------------
# Every door that authenticates (the console login, /admin/, any future one) sends Django's signals;
# django-axes sends user_locked_out. Recording them here makes the audit of logins one policy too.


def _user_named(username: str) -> Any:
    from django.contrib.auth import get_user_model

    if not username:
        return None
    return get_user_model().objects.filter(username=username[:150]).first()


def _login_succeeded(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # A login through a door is a POST of credentials; the test client's force_login (no method)
    # and other programmatic logins are not events of the audit trail.
    if getattr(request, "method", None) == "POST":
        record("org.user.login", user, actor=user)


def _login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username") or "")[:150]
    user = _user_named(username)
    # Unknown usernames are recorded too (as the attempted name): probing for accounts shows up.
    record("org.user.login_failed", user, actor=f"login:{username}"[:150], after={"username": username})


def _locked_out(
    sender: Any,
    request: Any = None,
    username: str | None = None,
    ip_address: str | None = None,
    **kwargs: Any,
) -> None:
    user = _user_named(username or "")
    record(
        "org.user.locked",
        user,
        actor=f"login:{username or ''}"[:150],
        after={"username": username or "", "ip": ip_address or ""},
    )


def connect_login_signals() -> None:
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_login_failed

    user_logged_in.connect(_login_succeeded, dispatch_uid="pingan.audit.login")
    user_login_failed.connect(_login_failed, dispatch_uid="pingan.audit.login_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="pingan.audit.locked_out")


# --- The chain ----------------------------------------------------------------------------------


def verify_chain(using: str = "default") -> tuple[int, int | None, str, str]:
    """Walk every audit event in insertion (id) order and recompute the chain.

    Returns (events checked, id of the first bad event or None, why, the last good hash). A row whose
    content was changed no longer matches its hash; a row removed or slipped in breaks the link
    (prev_hash) of the row after it. Removing the newest rows leaves a shorter valid chain: compare
    the head hash printed by `verify_audit` (or recorded by `backup`) with an earlier one for that."""
    from .models import CHAIN_FIELDS, GENESIS, chain_hash

    prev = GENESIS
    count = 0
    rows = AuditEvent.objects.using(using).order_by("id").values("id", "prev_hash", "hash", *CHAIN_FIELDS)
    for row in rows.iterator(chunk_size=5000):
        if row["prev_hash"] != prev:
            return count, row["id"], "link", prev
        if chain_hash(prev, row) != row["hash"]:
            return count, row["id"], "content", prev
        prev = row["hash"]
        count += 1
    return count, None, "", prev
