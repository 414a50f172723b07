"""Outside channels: email (SMTP through Django's mail), webhooks (generic signed JSON, WeCom and
DingTalk group robots) and SMS through a provider interface.

Each sender takes a Delivery (channel, target, payload rendered when it was queued) and either
returns a short note of what the other side answered or raises DeliveryError. A DeliveryError with
`permanent=True` (a refused address, a 4xx answer, a webhook no longer configured) is not retried.

HTTP uses the standard library with a timeout and never follows redirects (a redirect could point a
signed request anywhere, including this machine). The destination is resolved once, every address
is checked (only globally routable unicast passes, in every spelling), and the connection goes to a
checked address — so a name cannot be rebound to an internal address between check and connect.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import smtplib
import socket
import ssl
import time
import urllib.parse
from typing import Any, Protocol

from django.core.mail import EmailMessage, get_connection
from django.utils.module_loading import import_string

from . import conf

# The address rules live in rules.py (pure, also checked when a preference is saved); re-exported here.
from .rules import address_forbidden, dingtalk_url, host_forbidden, literal_address, webhook_signature

USER_AGENT = "Pingan-Notify/1"
MAX_RESPONSE = 64 * 1024


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


# --- HTTP -----------------------------------------------------------------------------------------


def resolve_destination(url: str) -> tuple[str, int, list[str]]:
    """(host, port, checked addresses) for a webhook URL; DeliveryError when any address the name
    resolves to is forbidden. The caller connects to one of these addresses, never resolves again:
    a name that answers a public address to this check and 127.0.0.1 to the connection (DNS
    rebinding) is thereby harmless."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DeliveryError("only http(s) URLs with a host can be called", permanent=True)
    host = parts.hostname
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise DeliveryError("bad port", permanent=True) from exc
    allow_loopback = bool(conf.get("NOTIFY_WEBHOOK_ALLOW_LOOPBACK"))
    if not allow_loopback:
        literal = literal_address(host)
        if host_forbidden(url) or (literal is not None and address_forbidden(literal)):
            raise DeliveryError("destination not allowed (loopback, private or link-local)", permanent=True)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise DeliveryError(f"cannot resolve {host}: {exc}") from exc
    addresses: list[str] = []
    for info in infos:
        text = str(info[4][0]).split("%")[0]
        if not allow_loopback and address_forbidden(ipaddress.ip_address(text)):
            raise DeliveryError(
                "destination resolves to a loopback, private or link-local address", permanent=True
            )
        if text not in addresses:
            addresses.append(text)
    if not addresses:
        raise DeliveryError(f"cannot resolve {host}")
    return host, port, addresses


def _check_destination(url: str) -> None:
    """Kept for callers that only validate: raises DeliveryError for a forbidden destination."""
    resolve_destination(url)


def _pinned_connection(
    scheme: str, host: str, port: int, address: str, timeout: float
) -> http.client.HTTPConnection:
    """An HTTP(S) connection to `address` (already checked) that still speaks to `host`: the Host
    header, TLS SNI and certificate check use the name, the TCP connection the checked address."""
    if scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)

    def create_connection(_addr: Any, timeout: Any = None, source_address: Any = None) -> socket.socket:
        return socket.create_connection((address, port), timeout, source_address)

    conn._create_connection = create_connection  # type: ignore[attr-defined]
    return conn


def post_json(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """POST raw JSON bytes; (status, response body) for a 2xx answer, DeliveryError otherwise.
    Redirects are never followed (a 3xx is a failure): a redirect could point a signed request
    anywhere, including this machine."""
    host, port, addresses = resolve_destination(url)
    parts = urllib.parse.urlsplit(url)
    target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    all_headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "Content-Length": str(len(body)),
        **(headers or {}),
    }
    last: Exception | None = None
    for address in addresses[:3]:
        conn = _pinned_connection(parts.scheme, host, port, address, conf.get("NOTIFY_HTTP_TIMEOUT"))
        try:
            conn.request("POST", target, body=body, headers=all_headers)
            response = conn.getresponse()
            status = response.status
            if 200 <= status < 300:
                return status, response.read(MAX_RESPONSE)
            text = response.read(300).decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as exc:
            last = exc
            continue
        finally:
            conn.close()
        # 4xx (except timeouts and rate limits) will not get better by retrying.
        permanent = 400 <= status < 500 and status not in (408, 425, 429)
        raise DeliveryError(f"HTTP {status}: {text}".strip(), permanent=permanent)
    raise DeliveryError(f"connection failed: {last}")


def _dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _robot_answer(status: int, raw: bytes) -> str:
    """WeCom and DingTalk answer 200 with {"errcode": 0, "errmsg": "ok"}; anything else failed."""
    try:
        data = json.loads(raw or b"{}")
    except ValueError as exc:
        raise DeliveryError(f"unreadable answer: {raw[:200]!r}") from exc
    code = data.get("errcode", 0) if isinstance(data, dict) else 0
    if code not in (0, "0"):
        # 45009 / 130101: too many messages this minute — retrying later helps; the rest do not.
        permanent = code not in (45009, 130101, -1)
        raise DeliveryError(f"errcode {code}: {data.get('errmsg', '')}", permanent=permanent)
    return f"HTTP {status} errcode 0"


# --- Senders --------------------------------------------------------------------------------------


def send_email(delivery: Any, secret: str = "") -> str:
    payload = delivery.payload
    message = EmailMessage(
        subject=payload.get("subject", ""),
        body=payload.get("body", ""),
        to=[delivery.target],
        connection=get_connection(fail_silently=False),
    )
    try:
        sent = message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"recipient refused: {exc.recipients}", permanent=True) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"SMTP: {exc}") from exc
    if not sent:
        raise DeliveryError("mail backend sent nothing")
    return "accepted by SMTP"


def send_webhook(delivery: Any, secret: str = "") -> str:
    """Generic JSON, signed: X-Pingan-Timestamp and X-Pingan-Signature: sha256=<hex> over
    "<timestamp>.<raw body>" with the person's secret (rules.webhook_signature)."""
    body = _dumps(delivery.payload)
    timestamp = str(int(time.time()))
    headers = {
        "X-Pingan-Event": str(delivery.payload.get("event", "")),
        "X-Pingan-Delivery": str(delivery.pk),
        "X-Pingan-Timestamp": timestamp,
    }
    if secret:
        headers["X-Pingan-Signature"] = webhook_signature(secret, timestamp, body)
    status, _raw = post_json(delivery.target, body, headers)
    return f"HTTP {status}"


def send_wecom(delivery: Any, secret: str = "") -> str:
    status, raw = post_json(delivery.target, _dumps(delivery.payload))
    return _robot_answer(status, raw)


def send_dingtalk(delivery: Any, secret: str = "") -> str:
    url = dingtalk_url(delivery.target, secret, int(time.time() * 1000))
    status, raw = post_json(url, _dumps(delivery.payload))
    return _robot_answer(status, raw)


# --- SMS ------------------------------------------------------------------------------------------


class SmsProvider(Protocol):
    """What an SMS gateway adapter provides. Set SMS_PROVIDER to its dotted path."""

    def send(self, phone: str, text: str, *, delivery: Any = None) -> str:
        """Send one text; return the provider's reference; raise DeliveryError on failure."""
        ...


class RecordingSmsProvider:
    """The default: records the text in SmsRecord instead of sending it (demo and tests)."""

    def send(self, phone: str, text: str, *, delivery: Any = None) -> str:
        from .models import SmsRecord

        record = SmsRecord.objects.create(phone=phone, text=text, delivery=delivery)
        return f"recorded #{record.pk}"


class HttpSmsProvider:
    """An example gateway adapter: POST {"phone", "text", "reference"} as JSON to SMS_API_URL with
    `Authorization: Bearer SMS_API_KEY`; a 2xx answer means accepted. Real gateways (Aliyun,
    Tencent Cloud …) need their own signing; write an adapter of the same shape."""

    def send(self, phone: str, text: str, *, delivery: Any = None) -> str:
        url = conf.get("SMS_API_URL")
        if not url:
            raise DeliveryError("SMS_API_URL is not set", permanent=True)
        headers = {}
        if conf.get("SMS_API_KEY"):
            headers["Authorization"] = f"Bearer {conf.get('SMS_API_KEY')}"
        body = _dumps({"phone": phone, "text": text, "reference": getattr(delivery, "pk", None)})
        status, raw = post_json(url, body, headers)
        return f"HTTP {status} {raw[:100].decode('utf-8', 'replace')}".strip()


def sms_provider() -> SmsProvider:
    return import_string(conf.get("SMS_PROVIDER"))()


def send_sms(delivery: Any, secret: str = "") -> str:
    return sms_provider().send(delivery.target, delivery.payload.get("text", ""), delivery=delivery)


SENDERS = {
    "email": send_email,
    "sms": send_sms,
    "webhook": send_webhook,
    "wecom": send_wecom,
    "dingtalk": send_dingtalk,
}


def send(delivery: Any, secret: str = "") -> str:
    try:
        sender = SENDERS[delivery.channel]
    except KeyError as exc:
        raise DeliveryError(f"unknown channel {delivery.channel!r}", permanent=True) from exc
    return sender(delivery, secret)
