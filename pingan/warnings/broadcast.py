"""The MQTT broadcast of published warnings to screens and sirens (run by tasks.broadcast_mqtt)."""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlparse

from django.conf import settings

from .choices import BroadcastChannel, BroadcastStatus
from .models import Broadcast, EarlyWarning


def publish_mqtt(warning_id: int) -> int:
    """Publish to every queued MQTT row of the warning; mark each sent or failed. Returns how many went."""
    import paho.mqtt.publish as publish

    from .fanout import mqtt_payload

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
