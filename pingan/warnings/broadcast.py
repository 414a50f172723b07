"""The MQTT broadcast of published warnings to screens and sirens (task broadcast_mqtt, queued by fanout)."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.urls import reverse
from huey.contrib.djhuey import db_task

from pingan.core.context import origin

from .choices import BroadcastChannel, BroadcastStatus
from .models import Broadcast, EarlyWarning


def mqtt_topics(warning: EarlyWarning, areas: list[Any]) -> list[str]:
    """`<WARNINGS_MQTT_TOPIC>/<division code>` for each area with a division, and `…/all`: a screen or a
    siren subscribes to its township's topic (or a wildcard) and keeps the retained latest message."""
    base = str(getattr(settings, "WARNINGS_MQTT_TOPIC", "pingan/v1/warnings")).strip("/")
    codes = sorted({a.division.code for a in areas if a.division_id})
    return [f"{base}/{code}" for code in codes] + [f"{base}/all"]


def mqtt_payload(warning: EarlyWarning, areas: list[Any]) -> dict[str, Any]:
    return {
        "identifier": warning.identifier,
        "msgType": warning.msg_type,
        "references": warning.references,
        "event": warning.event,
        "eventCode": warning.event_code,
        "colour": warning.colour,
        "headline": warning.headline,
        "instruction": warning.instruction,
        "sent": warning.sent.isoformat() if warning.sent else None,
        "expires": warning.expires.isoformat(),
        "areas": [{"code": a.division.code if a.division_id else None, "desc": a.area_desc} for a in areas],
        "cap": reverse("warnings-public:cap", args=[warning.identifier]),
    }


@db_task(retries=3, retry_delay=30)
def broadcast_mqtt(warning_id: int) -> int:
    """After a publication commits: the message to the MQTT topics of screens and sirens (retained, QoS 1,
    so a screen that connects later shows the latest message of its township; a Cancel replaces it).
    Defined here, not in tasks.py, so that fan-out can queue it without an import cycle; tasks.py
    imports it so the worker knows it."""
    with origin("task"):
        return publish_mqtt(warning_id)


def publish_mqtt(warning_id: int) -> int:
    """Publish to every queued MQTT row of the warning; mark each sent or failed. Returns how many went."""
    import paho.mqtt.publish as publish

    warning = EarlyWarning.objects.get(pk=warning_id)
    rows = list(
        Broadcast.objects.filter(
            warning=warning, channel=BroadcastChannel.MQTT, status=BroadcastStatus.QUEUED
        ).order_by("id")
    )
    if not rows:
        return 0
    payload = json.dumps(
        mqtt_payload(warning, list(warning.areas.select_related("division"))), ensure_ascii=False
    )
    u = urlparse(settings.MQTT_URL if "://" in settings.MQTT_URL else f"mqtt://{settings.MQTT_URL}")
    auth = {"username": u.username, "password": u.password} if u.username else None
    try:
        publish.multiple(
            [{"topic": r.target, "payload": payload, "qos": 1, "retain": True} for r in rows],
            hostname=u.hostname or "127.0.0.1",
            port=u.port or (8883 if u.scheme in ("mqtts", "ssl") else 1883),
            client_id=f"pingan-warnings-{uuid.uuid4().hex[:8]}",
            auth=auth,
            tls={} if u.scheme in ("mqtts", "ssl") else None,
        )
    except Exception as exc:  # the broker is down: recorded, and huey retries the task
        Broadcast.objects.filter(pk__in=[r.pk for r in rows]).update(
            status=BroadcastStatus.FAILED, error=str(exc)[:300]
        )
        raise
    Broadcast.objects.filter(pk__in=[r.pk for r in rows]).update(status=BroadcastStatus.SENT, error="")
    return len(rows)
