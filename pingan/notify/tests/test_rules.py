import base64
import hashlib
import hmac
import urllib.parse

import pytest

from pingan.notify.rules import (
    Wants,
    backoff_seconds,
    channels_for,
    dingtalk_sign,
    dingtalk_url,
    host_forbidden,
    next_state,
    preference_problems,
    verify_webhook_signature,
    webhook_signature,
)


def test_backoff_doubles_from_one_minute_and_is_capped():
    assert [backoff_seconds(n) for n in range(1, 10)] == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    assert backoff_seconds(0) == 0
    assert backoff_seconds(500, base=60, cap=900) == 900


def test_failed_after_max_attempts():
    assert next_state(1, 3) == "retrying"
    assert next_state(2, 3) == "retrying"
    assert next_state(3, 3) == "failed"


@pytest.mark.parametrize(
    "wants,email,phone,urgent,expected",
    [
        (Wants(), "a@b.cn", "13800000000", False, [("email", "a@b.cn")]),
        (Wants(), "a@b.cn", "13800000000", True, [("email", "a@b.cn"), ("sms", "13800000000")]),
        (Wants(), "", "", True, []),
        (Wants(email=False, sms=False), "a@b.cn", "13800000000", True, []),
        (
            Wants(email=False, webhook_url="https://x.cn/h", webhook_kind="wecom"),
            "a@b.cn",
            "",
            False,
            [("wecom", "https://x.cn/h")],
        ),
        (Wants(webhook_url="https://x.cn/h", webhook_kind=""), "", "", False, []),
    ],
)
def test_channels_for(wants, email, phone, urgent, expected):
    assert channels_for(wants, email=email, phone=phone, urgent=urgent) == expected


def test_webhook_signature_covers_timestamp_and_body():
    body = b'{"a":1}'
    expected = "sha256=" + hmac.new(b"k" * 16, b"1700000000." + body, hashlib.sha256).hexdigest()
    assert webhook_signature("k" * 16, "1700000000", body) == expected
    assert verify_webhook_signature("k" * 16, "1700000000", body, expected, now=1700000100)
    # A replay later than the tolerance, a changed timestamp or body, or the wrong secret fail.
    assert not verify_webhook_signature("k" * 16, "1700000000", body, expected, now=1700000400)
    assert not verify_webhook_signature("k" * 16, "1700000001", body, expected, now=1700000001)
    assert not verify_webhook_signature("k" * 16, "1700000000", b'{"a":2}', expected, now=1700000000)
    assert not verify_webhook_signature("x" * 16, "1700000000", body, expected, now=1700000000)
    assert not verify_webhook_signature("k" * 16, "soon", body, expected, now=1700000000)


def test_dingtalk_sign_follows_the_documented_scheme():
    # DingTalk: sign = urlEncode(base64(HmacSHA256(key=secret, data=timestamp + "\n" + secret)))
    secret, ts = "SEC0123456789abcdef", 1700000000123
    raw = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    assert urllib.parse.unquote_plus(dingtalk_sign(secret, ts)) == base64.b64encode(raw).decode()
    url = dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=abc", secret, ts)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["access_token"] == ["abc"] and query["timestamp"] == [str(ts)]
    assert query["sign"] == [base64.b64encode(raw).decode()]
    assert dingtalk_url("https://x.cn/robot", "", ts) == "https://x.cn/robot"


@pytest.mark.parametrize(
    "url,forbidden",
    [
        ("http://127.0.0.1:8000/x", True),
        ("http://localhost/x", True),
        ("http://[::1]/x", True),
        ("http://169.254.169.254/latest", True),
        ("http://0.0.0.0/", True),
        ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1", False),
        ("http://10.1.2.3/oa", True),  # private: refused when saved too, not only when sending
        ("http://[::ffff:127.0.0.1]/x", True),
        ("http://2130706433/x", True),
        ("http://oa/x", True),
        ("http://metadata.google.internal/x", True),
        ("http://printer.local/x", True),
        ("https://hooks.example.cn/x", False),
        ("https://8.8.8.8/x", False),
    ],
)
def test_host_forbidden(url, forbidden):
    assert host_forbidden(url) is forbidden


@pytest.mark.parametrize(
    "url,kind,secret,expected",
    [
        ("", "", "", {}),
        ("https://a.cn/h", "", "", {"webhook_kind": "kind_required"}),
        ("", "wecom", "", {"webhook_url": "url_required"}),
        ("ftp://a.cn/h", "wecom", "", {"webhook_url": "scheme"}),
        ("http://127.0.0.1/h", "wecom", "", {"webhook_url": "host_forbidden"}),
        ("https://a.cn/h", "webhook", "", {"webhook_secret": "secret_required"}),
        ("https://a.cn/h", "webhook", "short", {"webhook_secret": "secret_short"}),
        ("https://a.cn/h", "webhook", "s" * 16, {}),
        ("https://a.cn/h", "wecom", "s" * 16, {"webhook_secret": "secret_unused"}),
        ("https://a.cn/h", "dingtalk", "", {}),
        ("https://a.cn/h", "dingtalk", "abc", {"webhook_secret": "dingtalk_secret"}),
        ("https://a.cn/h", "dingtalk", "SECabc", {}),
    ],
)
def test_preference_problems(url, kind, secret, expected):
    assert preference_problems(webhook_url=url, webhook_kind=kind, webhook_secret=secret) == expected


def test_loopback_may_be_allowed_by_setting():
    assert (
        preference_problems(
            webhook_url="http://127.0.0.1/h", webhook_kind="wecom", webhook_secret="", allow_loopback=True
        )
        == {}
    )
