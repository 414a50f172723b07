"""Each channel against a local receiver: what goes over the wire, signatures, failures."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest

from pingan.notify import channels
from pingan.notify.channels import DeliveryError
from pingan.notify.models import Delivery, Message, Preference, SmsRecord
from pingan.notify.render import render
from pingan.notify.rules import verify_webhook_signature

SECRET = "receiver-shared-secret-0123"


@pytest.fixture
def message(person):
    return Message.objects.create(
        recipient=person,
        event="hazards.case.assigned",
        title="隐患案件已分派",
        body="清城区凤城街道 某化工厂\n消防通道堵塞",
        url="/console/hazards/12/",
        urgent=True,
    )


def make_delivery(message, channel, target):
    return Delivery.objects.create(
        message=message, channel=channel, target=target, payload=render(channel, message)
    )


def test_generic_webhook_is_signed_over_timestamp_and_body(message, receiver, loopback_ok):
    d = make_delivery(message, "webhook", receiver.url + "/hook")
    answer = channels.send(d, SECRET)
    assert answer == "HTTP 200"
    (req,) = receiver.requests
    h = req.headers
    assert h["content-type"].startswith("application/json")
    assert h["x-pingan-event"] == "hazards.case.assigned" and h["x-pingan-delivery"] == str(d.pk)
    assert h["x-pingan-signature"].startswith("sha256=")
    assert verify_webhook_signature(
        SECRET, h["x-pingan-timestamp"], req.body, h["x-pingan-signature"], now=time.time()
    )
    # The receiver can recompute it from the raw bytes exactly as documented.
    expected = hmac.new(
        SECRET.encode(), h["x-pingan-timestamp"].encode() + b"." + req.body, hashlib.sha256
    ).hexdigest()
    assert h["x-pingan-signature"] == "sha256=" + expected
    body = req.json()
    assert body["event"] == "hazards.case.assigned" and body["title"] == "隐患案件已分派"
    assert (
        body["urgent"] is True and body["message_id"] == message.pk and body["recipient"] == "notify_person"
    )


def test_site_url_makes_links_absolute(message, settings):
    settings.SITE_URL = "https://pingan.qingyuan.gov.cn/"
    assert render("webhook", message)["url"] == "https://pingan.qingyuan.gov.cn/console/hazards/12/"
    assert "https://pingan.qingyuan.gov.cn/console/hazards/12/" in render("sms", message)["text"]
    settings.SITE_URL = ""
    assert render("webhook", message)["url"] == "/console/hazards/12/"
    assert "/console/" not in render("sms", message)["text"]  # a relative link is useless in an SMS


def test_wecom_markdown_body(message, receiver, loopback_ok):
    d = make_delivery(message, "wecom", receiver.url + "/cgi-bin/webhook/send?key=abc")
    assert channels.send(d) == "HTTP 200 errcode 0"
    (req,) = receiver.requests
    assert req.query == {"key": ["abc"]}
    body = req.json()
    assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert set(body["markdown"]) == {"content"}
    assert '<font color="warning">【紧急】</font>**隐患案件已分派**' in content
    assert "> 清城区凤城街道 某化工厂\n> 消防通道堵塞" in content
    assert "[查看详情](/console/hazards/12/)" in content
    assert len(content.encode()) <= 4096


def test_dingtalk_markdown_body_and_signed_query(message, receiver, loopback_ok):
    secret = "SEC" + "d" * 61
    d = make_delivery(message, "dingtalk", receiver.url + "/robot/send?access_token=tok")
    before = int(time.time() * 1000)
    assert channels.send(d, secret) == "HTTP 200 errcode 0"
    (req,) = receiver.requests
    assert req.query["access_token"] == ["tok"]
    ts = int(req.query["timestamp"][0])
    assert before <= ts <= int(time.time() * 1000)
    digest = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    assert req.query["sign"] == [base64.b64encode(digest).decode()]
    body = req.json()
    assert body["msgtype"] == "markdown" and set(body["markdown"]) == {"title", "text"}
    assert body["markdown"]["title"] == "【紧急】隐患案件已分派"
    assert body["markdown"]["text"].startswith("#### 【紧急】**隐患案件已分派**")
    assert "平安清远" in body["markdown"]["text"]  # satisfies a robot secured by the keyword 平安


def test_dingtalk_without_secret_sends_no_sign(message, receiver, loopback_ok):
    d = make_delivery(message, "dingtalk", receiver.url + "/robot/send?access_token=tok")
    channels.send(d, "")
    assert set(receiver.requests[0].query) == {"access_token"}


def test_robot_error_codes_fail_the_delivery(message, receiver, loopback_ok):
    d = make_delivery(message, "wecom", receiver.url + "/send?key=bad")
    receiver.script = [
        (200, b'{"errcode":93000,"errmsg":"invalid webhook url"}'),
        (200, b'{"errcode":45009,"errmsg":"api freq out of limit"}'),
    ]
    with pytest.raises(DeliveryError) as bad:
        channels.send(d)
    assert bad.value.permanent and "93000" in str(bad.value)
    with pytest.raises(DeliveryError) as limited:
        channels.send(d)
    assert not limited.value.permanent  # rate limited: try again later


def test_http_errors_and_redirects(message, receiver, loopback_ok):
    d = make_delivery(message, "webhook", receiver.url + "/hook")
    receiver.script = [
        (503, b"busy"),
        (404, b"no such hook"),
        (302, b"", {"Location": "http://169.254.169.254/"}),
    ]
    with pytest.raises(DeliveryError) as busy:
        channels.send(d, SECRET)
    assert not busy.value.permanent and "503" in str(busy.value)
    with pytest.raises(DeliveryError) as missing:
        channels.send(d, SECRET)
    assert missing.value.permanent
    with pytest.raises(DeliveryError) as moved:
        channels.send(d, SECRET)
    assert "302" in str(moved.value)
    assert len(receiver.requests) == 3  # the redirect was not followed


def test_connection_refused_is_retryable(message, loopback_ok):
    from pingan.notify.tests.conftest import free_port

    d = make_delivery(message, "webhook", f"http://127.0.0.1:{free_port()}/hook")
    with pytest.raises(DeliveryError) as refused:
        channels.send(d, SECRET)
    assert not refused.value.permanent


def test_loopback_destination_refused_without_the_setting(message, receiver):
    d = make_delivery(message, "webhook", receiver.url + "/hook")
    with pytest.raises(DeliveryError) as refused:
        channels.send(d, SECRET)
    assert refused.value.permanent and not receiver.requests


def test_recording_sms_provider(message):
    d = make_delivery(message, "sms", "13800000000")
    answer = channels.send(d)
    record = SmsRecord.objects.get()
    assert answer == f"recorded #{record.pk}"
    assert record.phone == "13800000000" and record.delivery == d
    assert record.text.startswith("【紧急】隐患案件已分派:") and len(record.text) <= 200


def test_http_sms_provider(message, receiver, loopback_ok, settings):
    settings.SMS_PROVIDER = "pingan.notify.channels.HttpSmsProvider"
    settings.SMS_API_URL = receiver.url + "/sms"
    settings.SMS_API_KEY = "sms-key"
    receiver.default = (200, b'{"id":"abc"}')
    d = make_delivery(message, "sms", "13800000000")
    assert channels.send(d).startswith("HTTP 200")
    (req,) = receiver.requests
    assert req.headers["authorization"] == "Bearer sms-key"
    assert json.loads(req.body) == {"phone": "13800000000", "text": d.payload["text"], "reference": d.pk}
    assert not SmsRecord.objects.exists()


def test_http_sms_provider_needs_a_url(message, settings):
    settings.SMS_PROVIDER = "pingan.notify.channels.HttpSmsProvider"
    settings.SMS_API_URL = ""
    with pytest.raises(DeliveryError) as exc:
        channels.send(make_delivery(message, "sms", "13800000000"))
    assert exc.value.permanent


def test_email_through_a_real_smtp_server(message, smtp_server, person):
    import email
    from email.header import decode_header, make_header

    person.email = "zhang@example.cn"
    person.save()
    d = make_delivery(message, "email", person.email)
    assert channels.send(d) == "accepted by SMTP"
    (env,) = smtp_server.envelopes
    assert env.rcpt_tos == ["zhang@example.cn"]
    parsed = email.message_from_bytes(env.original_content)
    assert str(make_header(decode_header(parsed["Subject"]))) == "[平安清远] 【紧急】隐患案件已分派"
    text = parsed.get_payload(decode=True).decode(parsed.get_content_charset())
    assert "消防通道堵塞" in text and "/console/hazards/12/" in text


def test_smtp_down_is_retryable(message, settings):
    from pingan.notify.tests.conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    with pytest.raises(DeliveryError) as exc:
        channels.send(make_delivery(message, "email", "a@example.cn"))
    assert not exc.value.permanent


def test_webhook_preference_removed_is_not_sent(message, receiver, loopback_ok):
    from pingan.notify.deliveries import send_one

    Preference.objects.create(
        user=message.recipient,
        email=False,
        webhook_url=receiver.url + "/old",
        webhook_kind="webhook",
        webhook_secret=SECRET,
    )
    d = make_delivery(message, "webhook", receiver.url + "/old")
    Preference.objects.filter(user=message.recipient).update(webhook_url=receiver.url + "/new")
    assert send_one(d.pk) == "failed"
    d.refresh_from_db()
    assert "no longer configured" in d.last_error and not receiver.requests
