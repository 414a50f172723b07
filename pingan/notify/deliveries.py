"""Deliveries: queueing them for new inbox messages, and sending what is due.

Queueing happens inside the caller's transaction (services.notify), so a rolled-back change leaves
no delivery behind. Sending happens after commit, from huey (tasks.py), and only ever acts on rows:

- a delivery is *due* when its status is pending/retrying and next_attempt_at has come;
- a worker *claims* it with one conditional UPDATE (status → sending, attempts + 1, held until
  now + NOTIFY_CLAIM_SECONDS). The UPDATE matches only while the row is still due, so when two
  workers race for it exactly one gets rowcount 1 — on PostgreSQL the second UPDATE waits for the
  first's row lock and then re-checks the WHERE; SQLite runs writers one at a time. Only the winner
  sends. Nothing is held open while the network call runs;
- on success the row becomes sent; on failure retrying with exponential back-off, or failed after
  NOTIFY_MAX_ATTEMPTS (or at once for a permanent error);
- a claim whose worker died mid-send expires and the row is retried (at-least-once, never two
  workers at the same time).
"""

from __future__ import annotations

import datetime
import logging
import time
from typing import Any

from django.db.models import F
from django.utils import timezone

from . import conf
from .channels import DeliveryError, send
from .choices import DUE_STATUSES, DeliveryStatus
from .models import Delivery, Message, Preference, Robot
from .render import render
from .rules import Wants, backoff_seconds, channels_for, next_state

log = logging.getLogger(__name__)


def _wants(pref: Preference | None) -> Wants:
    if pref is None:
        defaults = Preference()
        return Wants(email=defaults.email, sms=defaults.sms)
    return Wants(email=pref.email, sms=pref.sms, webhook_url=pref.webhook_url, webhook_kind=pref.webhook_kind)


def queue_deliveries(messages: list[Message]) -> list[Delivery]:
    """Create the Delivery rows for new inbox messages per their recipients' preferences.

    Two queries for the whole batch: the preferences of all recipients, and one bulk insert.
    """
    if not messages:
        return []
    prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in={m.recipient_id for m in messages})}
    rows: list[Delivery] = []
    for message in messages:
        person = message.recipient
        targets = channels_for(
            _wants(prefs.get(message.recipient_id)),
            email=person.email or "",
            phone=getattr(person, "phone", "") or "",
            urgent=message.urgent,
        )
        for channel, target in targets:
            rows.append(
                Delivery(
                    message=message,
                    channel=channel,
                    target=target[:300],
                    payload=render(channel, message),
                    next_attempt_at=message.created_at,
                )
            )
    return Delivery.objects.bulk_create(rows) if rows else []


def due(now: datetime.datetime | None = None) -> Any:
    now = now or timezone.now()
    return Delivery.objects.filter(status__in=DUE_STATUSES, next_attempt_at__lte=now)


def release_stale_claims(now: datetime.datetime) -> int:
    """Claims whose worker died while sending (held past their time) become due again."""
    return Delivery.objects.filter(status=DeliveryStatus.SENDING, next_attempt_at__lte=now).update(
        status=DeliveryStatus.RETRYING, last_error="worker stopped while sending; retrying"
    )


def claim(pk: int, now: datetime.datetime) -> bool:
    """Take one due delivery for this worker; False if another worker has it or it is no longer due."""
    held_until = now + datetime.timedelta(seconds=conf.get("NOTIFY_CLAIM_SECONDS"))
    return bool(
        Delivery.objects.filter(pk=pk, status__in=DUE_STATUSES, next_attempt_at__lte=now).update(
            status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, next_attempt_at=held_until
        )
    )


def _secret_for(delivery: Delivery) -> str:
    """The signing secret of a webhook delivery, read from the person's preference at send time
    (secrets are not copied into delivery rows). A webhook the person has since removed or pointed
    elsewhere is not sent: DeliveryError(permanent)."""
    if delivery.channel not in ("webhook", "wecom", "dingtalk"):
        return ""
    if delivery.message_id is None:  # a department's robot (services.notify_robots)
        robot = Robot.objects.filter(url=delivery.target, kind=delivery.channel, is_active=True).first()
        if robot is None:
            raise DeliveryError("robot no longer configured; not sent", permanent=True)
        return robot.secret
    pref = getattr(delivery.message.recipient, "notify_pref", None) if delivery.message else None
    if pref is None or pref.webhook_url != delivery.target or pref.webhook_kind != delivery.channel:
        raise DeliveryError("webhook no longer configured by its owner; not sent", permanent=True)
    return pref.webhook_secret


def send_one(pk: int, now: datetime.datetime | None = None) -> str | None:
    """Claim and send one delivery. Returns its new status, or None when it was not ours to send."""
    now = now or timezone.now()
    if not claim(pk, now):
        return None
    delivery = Delivery.objects.select_related("message__recipient__notify_pref").get(pk=pk)
    try:
        secret = _secret_for(delivery)
        answer = send(delivery, secret)
    except Exception as exc:  # any failure of a channel is recorded on the row
        permanent = isinstance(exc, DeliveryError) and exc.permanent
        if not isinstance(exc, DeliveryError):
            log.exception("delivery %s: unexpected error", pk)
        return _failed(
            delivery,
            f"{type(exc).__name__}: {exc}" if not isinstance(exc, DeliveryError) else str(exc),
            permanent=permanent,
        )
    Delivery.objects.filter(pk=pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="", response=answer[:300]
    )
    return DeliveryStatus.SENT


def _failed(delivery: Delivery, error: str, *, permanent: bool) -> str:
    attempts = delivery.attempts  # already counted by claim()
    state = DeliveryStatus.FAILED if permanent else next_state(attempts, conf.get("NOTIFY_MAX_ATTEMPTS"))
    now = timezone.now()
    delay = backoff_seconds(
        attempts, base=conf.get("NOTIFY_BACKOFF_BASE_SECONDS"), cap=conf.get("NOTIFY_BACKOFF_CAP_SECONDS")
    )
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=state,
        last_error=error[:2000],
        next_attempt_at=now + datetime.timedelta(seconds=delay) if state == DeliveryStatus.RETRYING else now,
    )
    log.info(
        "delivery %s (%s) attempt %s failed: %s → %s", delivery.pk, delivery.channel, attempts, error, state
    )
    return state


def send_due(now: datetime.datetime | None = None, limit: int | None = None) -> dict[str, int]:
    """Send every delivery that is due, oldest first, in batches of `limit` (NOTIFY_BATCH_SIZE)
    until none is left or the run has taken NOTIFY_RUN_SECONDS (the next run goes on from there).

    Idempotent: it reads the rows, and a delivery another worker holds or has sent is skipped.
    A delivery that fails here is due again only later (back-off), so the loop ends.
    """
    now = now or timezone.now()
    batch = limit or conf.get("NOTIFY_BATCH_SIZE")
    stop_at = time.monotonic() + conf.get("NOTIFY_RUN_SECONDS")
    counts = {"sent": 0, "retrying": 0, "failed": 0, "skipped": 0, "released": release_stale_claims(now)}
    while True:
        ids = list(due(now).order_by("next_attempt_at", "id").values_list("pk", flat=True)[:batch])
        for pk in ids:
            state = send_one(pk, now)
            counts[state or "skipped"] += 1
        if len(ids) < batch or time.monotonic() > stop_at:
            return counts
