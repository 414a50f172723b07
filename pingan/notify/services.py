"""The one door for telling people something: `notify(...)`.

Every app calls this from its actions layer, inside the transaction of the change. The inbox rows
are written in that transaction; outside deliveries (email, SMS, webhooks) are queued as rows and
sent only after commit, with retries (notify.tasks).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F as models_f
from django.db.models import Q as models_q

from .models import Message


def notify(
    people: Iterable[Any],
    *,
    event: str,
    title: str,
    body: str = "",
    url: str = "",
    urgent: bool = False,
) -> list[Message]:
    """Put a message in each person's inbox and queue their outside channels.

    `event` is dotted ("hazards.case.assigned"); `urgent` also sends SMS to those who allow it.
    Duplicates in `people` get one message.
    """
    seen: set[int] = set()
    recipients = []
    for person in people:
        if person is None or person.pk in seen or not person.is_active:
            continue
        seen.add(person.pk)
        recipients.append(person)
    # Lazy translations become plain text now (in the current language), as stored.
    title, body, url = str(title)[:200], str(body or ""), str(url or "")[:300]
    messages = Message.objects.bulk_create(
        [
            Message(recipient=p, event=event, title=title, body=body, url=url, urgent=bool(urgent))
            for p in recipients
        ]
    )
    if messages:
        from .deliveries import queue_deliveries

        if queue_deliveries(messages):
            # After commit only: a rolled-back change sends nothing, and the worker finds the rows.
            # If this kick is lost (worker down), the every-minute reconciler sends them anyway.
            transaction.on_commit(_kick)
    return messages


def notify_robots(
    robots: Iterable[Any],
    *,
    event: str,
    title: str,
    body: str = "",
    url: str = "",
    urgent: bool = False,
) -> list[Any]:
    """Queue one delivery per department robot (WeCom/DingTalk markdown), sent after commit with the
    same retries, back-off and destination checks (no loopback, link-local or private address) as a
    person's webhook. Returns the Delivery rows."""
    from types import SimpleNamespace

    from django.utils import timezone

    from .models import Delivery
    from .render import render

    now = timezone.now()
    text = SimpleNamespace(
        event=event,
        title=str(title)[:200],
        body=str(body or ""),
        url=str(url or "")[:300],
        urgent=urgent,
        created_at=now,
        recipient=None,
        pk=None,
    )
    rows = [
        Delivery(channel=r.kind, target=r.url[:300], payload=render(r.kind, text), next_attempt_at=now)
        for r in {r.pk: r for r in robots if r.is_active}.values()
    ]
    if rows:
        rows = Delivery.objects.bulk_create(rows)
        transaction.on_commit(_kick)
    return rows


def robots_of(departments: Any) -> Any:
    """The active robots of departments matching a filter (a Q on org.Department)."""
    from pingan.org.models import Department

    from .models import Robot

    return Robot.objects.filter(
        is_active=True, department__in=Department.objects.filter(departments).values("pk")
    )


def _kick() -> None:
    from .tasks import send_pending_deliveries

    try:
        send_pending_deliveries()
    except Exception:  # the queue is unreachable: the reconciler will pick the rows up
        logging.getLogger(__name__).exception("could not enqueue send_pending_deliveries")


def messages_about(url: str, event_prefix: str = "") -> Any:
    """Inbox messages that link to `url` (who was told of something), with their deliveries; for the
    "who received what" pages of other apps."""
    qs = Message.objects.filter(url=str(url)[:300])
    if event_prefix:
        qs = qs.filter(event__startswith=event_prefix)
    return qs.select_related("recipient").prefetch_related("deliveries").order_by("id")


def notify_bulk(
    people: Any,
    *,
    event: str,
    title: str,
    body: str = "",
    url: str = "",
    urgent: bool = False,
) -> int:
    """`notify` for very many people at once (a warning to a township's 100,000 subscribers).

    `people` is a queryset of users. Same result as `notify` — one inbox message per active person,
    deliveries per their preferences, sent after commit — but the inbox rows are written by one
    INSERT … SELECT in the database, and only the people with an outside channel are read back (one
    query, no model instances); each channel's content is rendered once (it does not depend on the
    recipient, except the generic webhook's, rendered per message). Returns the number of messages.
    """
    import json
    from types import SimpleNamespace

    from django.db import connection
    from django.utils import timezone

    from .models import Delivery, Preference
    from .render import render
    from .rules import Wants, channels_for

    now = timezone.now()
    title, body, url = str(title)[:200], str(body or ""), str(url or "")[:300]
    ids_sql, ids_params = (
        people.filter(is_active=True).values(uid=models_f("pk")).distinct().query.sql_with_params()
    )
    m = Message._meta
    col = {f.name: f.column for f in m.concrete_fields}
    at = connection.ops.adapt_datetimefield_value(now)
    qn = connection.ops.quote_name
    with connection.cursor() as c:
        c.execute(
            f"INSERT INTO {qn(m.db_table)} ({qn(col['recipient'])}, {qn(col['event'])}, {qn(col['title'])}, "
            f"{qn(col['body'])}, {qn(col['url'])}, {qn(col['urgent'])}, {qn(col['created_at'])}) "
            f"SELECT r.uid, %s, %s, %s, %s, %s, %s FROM ({ids_sql}) r",
            [event, title, body, url, bool(urgent), at, *ids_params],
        )
        count = c.rowcount
    if not count:
        return 0
    # Who has an outside channel: an address, a phone (urgent only) or a webhook. One query over the
    # rows just inserted (same event, link and timestamp; created_at is indexed) — no second pass over
    # the people's query, which a planner without fresh statistics may loop over badly.
    User = people.model
    reach = (
        Message.objects.filter(event=event, url=url, created_at=now)
        .filter(
            models_q(recipient__email__gt="")
            | (
                models_q(recipient__phone__gt="")
                if urgent and hasattr(User, "phone")
                else models_q(pk__in=[])
            )
            | models_q(recipient__notify_pref__webhook_url__gt="")
        )
        .values_list(
            "pk",
            "recipient__username",
            "recipient__email",
            *(("recipient__phone",) if hasattr(User, "phone") else ()),
            "recipient__notify_pref__email",
            "recipient__notify_pref__sms",
            "recipient__notify_pref__webhook_url",
            "recipient__notify_pref__webhook_kind",
        )
    )
    defaults = Preference()
    text = SimpleNamespace(
        event=event, title=title, body=body, url=url, urgent=urgent, created_at=now, recipient=None, pk=None
    )
    rendered: dict[str, str] = {}
    rows: list[tuple] = []
    for row in reach:
        if hasattr(User, "phone"):
            pk, username, email, phone, p_email, p_sms, w_url, w_kind = row
        else:
            pk, username, email, p_email, p_sms, w_url, w_kind = row
            phone = ""
        wants = Wants(
            email=defaults.email if p_email is None else p_email,
            sms=defaults.sms if p_sms is None else p_sms,
            webhook_url=w_url or "",
            webhook_kind=w_kind or "",
        )
        for channel, target in channels_for(wants, email=email or "", phone=phone or "", urgent=urgent):
            if channel == "webhook":
                one = SimpleNamespace(
                    **{**vars(text), "pk": pk, "recipient": SimpleNamespace(username=username)}
                )
                payload = json.dumps(render(channel, one), ensure_ascii=False)
            else:
                if channel not in rendered:
                    rendered[channel] = json.dumps(render(channel, text), ensure_ascii=False)
                payload = rendered[channel]
            rows.append((pk, channel, target[:300], payload))
    if rows:
        d = Delivery._meta
        dcol = {f.name: f.column for f in d.concrete_fields}
        names = ["message", "channel", "target", "payload", "status", "attempts", "next_attempt_at"]
        names += ["last_error", "response", "created_at"]
        with connection.cursor() as c:
            c.executemany(
                f"INSERT INTO {qn(d.db_table)} ({', '.join(qn(dcol[n]) for n in names)}) "
                f"VALUES (%s, %s, %s, %s, 'pending', 0, %s, '', '', %s)",
                [(pk, channel, target, payload, at, at) for pk, channel, target, payload in rows],
            )
        transaction.on_commit(_kick)
    return count
