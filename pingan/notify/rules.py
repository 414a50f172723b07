"""Pure rules of the notification module (no ORM): which channels a message goes to, how long to
wait before the next attempt, how webhook requests are signed, what a valid preference is."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import re
import socket
import urllib.parse
from dataclasses import dataclass

# --- Which outside channels ---------------------------------------------------------------------


@dataclass(frozen=True)
class Wants:
    """A person's preference as plain values (a Preference row or its defaults)."""

    email: bool = True
    sms: bool = True
    webhook_url: str = ""
    webhook_kind: str = ""


def channels_for(wants: Wants, *, email: str, phone: str, urgent: bool) -> list[tuple[str, str]]:
    """The (channel, target) pairs one message goes to besides the inbox.

    Email when the person has an address and wants email; SMS only for urgent messages, to a person
    with a phone who allows it (SMS costs money and wakes people up); the personal webhook when one
    is configured, in its format (webhook/wecom/dingtalk).
    """
    out: list[tuple[str, str]] = []
    if wants.email and email:
        out.append(("email", email))
    if urgent and wants.sms and phone:
        out.append(("sms", phone))
    if wants.webhook_url and wants.webhook_kind:
        out.append((wants.webhook_kind, wants.webhook_url))
    return out


# --- Retries --------------------------------------------------------------------------------------


def backoff_seconds(attempts: int, *, base: int = 60, cap: int = 3600) -> int:
    """Delay before the next attempt after `attempts` failed ones: base·2^(attempts−1), capped.

    With the defaults: 1, 2, 4, 8, 16, 32, 60, 60 … minutes.
    """
    if attempts < 1:
        return 0
    return int(min(cap, base * 2 ** min(attempts - 1, 30)))


def next_state(attempts: int, max_attempts: int) -> str:
    """After a failed attempt (attempts already counted): retry, or give up."""
    return "failed" if attempts >= max_attempts else "retrying"


# --- Signatures -----------------------------------------------------------------------------------


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Pingan-Signature header value: HMAC-SHA256 over "<timestamp>.<raw body>".

    The timestamp (unix seconds, sent as X-Pingan-Timestamp) is inside the signed string, so a
    captured request cannot be replayed later with a fresh timestamp.
    """
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_webhook_signature(
    secret: str, timestamp: str, body: bytes, signature: str, *, now: float, tolerance: int = 300
) -> bool:
    """What a receiver checks: the signature matches and the timestamp is recent (±tolerance s)."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(now - ts) > tolerance:
        return False
    return hmac.compare_digest(webhook_signature(secret, timestamp, body), signature or "")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk robot 加签: base64(HMAC-SHA256(key=secret, msg="<timestamp>\\n<secret>")), URL-encoded.

    Sent as the `timestamp` and `sign` query parameters; DingTalk refuses a timestamp more than an
    hour away from its clock.
    """
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def dingtalk_url(url: str, secret: str, timestamp_ms: int) -> str:
    if not secret:
        return url
    sep = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{sep}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


# --- Valid preferences ----------------------------------------------------------------------------

MIN_SECRET = 16


# Networks a webhook may never reach, beyond what `ipaddress` already calls non-global: the
# translation prefixes that embed an IPv4 address (NAT64, 6to4, Teredo) are unwrapped and judged by it.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_IPV4_LITERAL = re.compile(r"^[0-9a-fx.]+$", re.IGNORECASE)


def address_forbidden(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for any address a webhook must not reach: loopback, private (RFC 1918, unique-local
    fc00::/7), link-local (cloud metadata 169.254.169.254), shared (100.64/10, Alibaba's metadata
    100.100.100.200), multicast, reserved, unspecified and documentation ranges — including an IPv4
    address wrapped in IPv6 (::ffff:127.0.0.1, ::127.0.0.1, 64:ff9b::7f00:1, 2002:7f00:1::, Teredo).
    Only globally routable unicast passes."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner: ipaddress.IPv4Address | None = ip.ipv4_mapped or ip.sixtofour
        if inner is None and ip.teredo:
            inner = ip.teredo[1]
        if inner is None and (ip in _NAT64 or ip in _NAT64_LOCAL):
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if inner is None and int(ip) >> 32 == 0 and int(ip) > 1:
            inner = ipaddress.IPv4Address(int(ip))  # deprecated IPv4-compatible ::a.b.c.d
        if inner is not None and address_forbidden(inner):
            return True
    return (
        not ip.is_global
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_unspecified
    )


def literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host name spells literally, in every spelling the C resolver accepts:
    dotted, decimal (2130706433), octal (0177.0.0.1), hex (0x7f.1), short (127.1), IPv6 with a zone."""
    host = host.strip("[]").split("%")[0]
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _IPV4_LITERAL.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


# Host names that only mean something inside a network (or this machine): refused as they are written.
INTERNAL_NAME_SUFFIXES = (
    ".localhost",
    ".local",
    ".localdomain",
    ".internal",
    ".intranet",
    ".lan",
    ".home.arpa",
)


def host_forbidden(url: str) -> bool:
    """A webhook must not point at this machine, the private network or cloud metadata: a person
    could otherwise make the server call internal services. Judged from the URL alone (it runs when a
    preference is saved, and again before sending): literal addresses in every spelling
    (address_forbidden), localhost, single-label and internal names. Names are resolved, and every
    address checked, when sending (channels.resolve_destination)."""
    try:
        host = (urllib.parse.urlsplit(url).hostname or "").strip("[]").lower().rstrip(".")
    except ValueError:
        return True
    if not host or host == "localhost" or host.endswith(INTERNAL_NAME_SUFFIXES):
        return True
    literal = literal_address(host)
    if literal is not None:
        return address_forbidden(literal)
    return "." not in host  # a single label (http://oa/, http://metadata/) resolves inside a network


def preference_problems(
    *, webhook_url: str, webhook_kind: str, webhook_secret: str, allow_loopback: bool = False
) -> dict[str, str]:
    """{field: problem code} for a personal webhook configuration (empty when valid)."""
    out: dict[str, str] = {}
    if webhook_url and not webhook_kind:
        out["webhook_kind"] = "kind_required"
    if webhook_kind and not webhook_url:
        out["webhook_url"] = "url_required"
    if webhook_url:
        scheme = urllib.parse.urlsplit(webhook_url).scheme.lower()
        if scheme not in ("http", "https"):
            out["webhook_url"] = "scheme"
        elif not allow_loopback and host_forbidden(webhook_url):
            out["webhook_url"] = "host_forbidden"
    if webhook_kind == "webhook" and webhook_url:
        if not webhook_secret:
            out["webhook_secret"] = "secret_required"
        elif len(webhook_secret) < MIN_SECRET:
            out["webhook_secret"] = "secret_short"
    elif webhook_kind == "wecom" and webhook_secret:
        out["webhook_secret"] = "secret_unused"
    elif webhook_kind == "dingtalk" and webhook_secret and not webhook_secret.startswith("SEC"):
        out["webhook_secret"] = "dingtalk_secret"
    return out
