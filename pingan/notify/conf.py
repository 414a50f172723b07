"""Notification settings, read from django.conf.settings with safe defaults.

They are read at call time (not import time) so that tests can override them.

    NOTIFY_MAX_ATTEMPTS            attempts before a delivery is FAILED (default 8)
    NOTIFY_BACKOFF_BASE_SECONDS    first retry delay; doubles each attempt (default 60)
    NOTIFY_BACKOFF_CAP_SECONDS     the longest delay between attempts (default 3600)
    NOTIFY_HTTP_TIMEOUT            seconds for one webhook/SMS HTTP request (default 10)
    NOTIFY_CLAIM_SECONDS           how long a claimed delivery is held by its worker (default 600);
                                   a worker that died while sending is retried after this
    NOTIFY_BATCH_SIZE              deliveries read per query of a sending run (default 500)
    NOTIFY_RUN_SECONDS             a sending run stops starting new batches after this (default 50)
    NOTIFY_WEBHOOK_ALLOW_LOOPBACK  allow webhook URLs on loopback/link-local hosts (default False)
    SITE_URL                       absolute base for links in email, SMS and webhooks ("" = relative)
    SMS_PROVIDER / SMS_API_URL / SMS_API_KEY   the SMS provider (pingan.notify.channels)
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "NOTIFY_MAX_ATTEMPTS": 8,
    "NOTIFY_BACKOFF_BASE_SECONDS": 60,
    "NOTIFY_BACKOFF_CAP_SECONDS": 3600,
    "NOTIFY_HTTP_TIMEOUT": 10,
    "NOTIFY_CLAIM_SECONDS": 600,
    "NOTIFY_BATCH_SIZE": 500,
    "NOTIFY_RUN_SECONDS": 50,
    "NOTIFY_WEBHOOK_ALLOW_LOOPBACK": False,
    "SITE_URL": "",
    "SMS_PROVIDER": "pingan.notify.channels.RecordingSmsProvider",
    "SMS_API_URL": "",
    "SMS_API_KEY": "",
}


def get(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])
