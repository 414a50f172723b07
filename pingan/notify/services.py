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


def _kick() -> None:
    from .tasks import send_pending_deliveries

    try:
        send_pending_deliveries()
    except Exception:  # the queue is unreachable: the reconciler will pick the rows up
        logging.getLogger(__name__).exception("could not enqueue send_pending_deliveries")
