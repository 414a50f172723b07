"""Publication fan-out: department robots (WeCom/DingTalk through notify), MQTT for screens and
sirens, and who received what."""

import json
import time
import uuid

import paho.mqtt.client as mqtt
import pytest
from django.test import Client, override_settings

from pingan.notify import channels
from pingan.notify.models import Delivery, Robot
from pingan.org.choices import Role
from pingan.org.models import User
from pingan.warnings.choices import BroadcastStatus
from pingan.warnings.models import Broadcast, Subscription

from .factories import publish_follow_up, to_state

pytestmark = pytest.mark.django_db
WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=test-key"
DINGTALK = "https://oapi.dingtalk.com/robot/send?access_token=test-token"


@pytest.fixture
def robots(world):
    qc = world.departments["qc_em"]
    yd = world.departments["yd_em"]
    return [
        Robot.objects.create(department=qc, name="清城应急群", kind="wecom", url=WECOM),
        Robot.objects.create(
            department=qc, name="清城三防群", kind="dingtalk", url=DINGTALK, secret="SECabc"
        ),
        Robot.objects.create(department=yd, name="英德应急群", kind="wecom", url=WECOM + "2"),
    ]


@pytest.fixture
def sent(monkeypatch):
    """What notify would POST (its SSRF-checked post_json, replaced: no network in tests)."""
    out = []

    def fake(url, body, headers=None):
        out.append((url, json.loads(body)))
        return 200, b'{"errcode":0,"errmsg":"ok"}'

    monkeypatch.setattr(channels, "post_json", fake)
    return out


def test_department_robots_of_the_area_get_the_warning(
    world, robots, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        w = to_state(world, "published")
    rows = {b.target: b for b in Broadcast.objects.filter(warning=w, channel__in=("wecom", "dingtalk"))}
    assert set(rows) == {"清城应急群", "清城三防群"}  # not Yingde's robot
    wecom = [body for url, body in sent if url == WECOM][0]
    assert wecom["msgtype"] == "markdown" and w.headline in wecom["markdown"]["content"]
    ding = [(url, body) for url, body in sent if url.startswith(DINGTALK)][0]
    assert "sign=" in ding[0] and "timestamp=" in ding[0]  # 加签 with the robot's secret
    assert ding[1]["markdown"]["title"].endswith(w.headline)
    for b in rows.values():
        b.refresh_from_db()
        assert b.delivery.status == "sent"


def test_a_robot_removed_before_sending_is_not_sent(world, robots, sent, django_capture_on_commit_callbacks):
    w = to_state(world, "published")  # the kick is not run: deliveries wait
    Robot.objects.filter(url=WECOM).update(is_active=False)
    from pingan.notify.deliveries import send_due

    send_due()
    d = Broadcast.objects.get(warning=w, target="清城应急群").delivery
    d.refresh_from_db()
    assert d.status == "failed" and "robot" in d.last_error
    assert [u for u, _b in sent if u == WECOM] == []


def test_mqtt_topics_for_screens_and_sirens(world, django_capture_on_commit_callbacks):
    base = f"pingan-test-{uuid.uuid4().hex[:8]}/warnings"
    got = []
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"culture-{uuid.uuid4().hex[:6]}")
    client.on_message = lambda c, u, m: got.append((m.topic, json.loads(m.payload), m.retain))
    client.connect("127.0.0.1", 1883)
    client.subscribe(f"{base}/#", qos=1)
    client.loop_start()
    try:
        with override_settings(MQTT_URL="mqtt://127.0.0.1:1883", WARNINGS_MQTT_TOPIC=base):
            with django_capture_on_commit_callbacks(execute=True):
                w = to_state(world, "published")
        deadline = time.time() + 5
        while len(got) < 2 and time.time() < deadline:
            time.sleep(0.05)
    finally:
        client.loop_stop()
        client.disconnect()
    code = w.areas.get().division.code
    topics = {t for t, _p, _r in got}
    assert topics == {f"{base}/{code}", f"{base}/all"}
    payload = got[0][1]
    assert payload["identifier"] == w.identifier and payload["msgType"] == "Alert"
    rows = Broadcast.objects.filter(warning=w, channel="mqtt")
    assert {r.status for r in rows} == {BroadcastStatus.SENT}
    # clean the retained messages off the shared broker
    import paho.mqtt.publish as publish

    publish.multiple([{"topic": t, "payload": b"", "retain": True} for t in topics], hostname="127.0.0.1")


def test_who_received_what(world, robots, sent, client, django_capture_on_commit_callbacks):
    citizen = User.objects.create(username="farmer-li", role=Role.PUBLIC, display_name="李农")
    Subscription.objects.create(user=citizen, division=world.towns["qingcheng"])
    with django_capture_on_commit_callbacks(execute=True):
        w = to_state(world, "published")
        cancel = publish_follow_up(world, w, "Cancel")
    inbox = Broadcast.objects.get(warning=w, channel="inbox")
    assert inbox.recipients == 1
    officer = world.user("duty_officer")
    client.force_login(officer)
    page = client.get(f"/console/warnings/{w.pk}/receipts/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "李农" in text and "清城应急群" in text and "清城三防群" in text
    assert client.get(f"/console/warnings/{cancel.pk}/receipts/").status_code == 200
    # the other district's officer: not theirs (404); a citizen: no console
    c2 = Client()
    c2.force_login(world.user("duty_officer", "yingde"))
    assert c2.get(f"/console/warnings/{w.pk}/receipts/").status_code == 404
    c3 = Client()
    c3.force_login(citizen)
    assert c3.get(f"/console/warnings/{w.pk}/receipts/").status_code in (302, 403)
    assert Delivery.objects.filter(message__isnull=True).count() == 4  # 2 robots × (Alert, Cancel)


def test_bulk_fan_out_honours_preferences(world, sent):
    """notify_bulk gives each subscriber what notify would: urgent SMS to phones, email only when wanted."""
    from pingan.notify.models import Message, Preference

    town = world.towns["qingcheng"]
    a = User.objects.create(username="sub-a", role=Role.PUBLIC, phone="13800000001", email="a@example.com")
    b = User.objects.create(username="sub-b", role=Role.PUBLIC, phone="13800000002", email="b@example.com")
    c = User.objects.create(username="sub-c", role=Role.PUBLIC, is_active=False, phone="13800000003")
    Preference.objects.create(user=b, email=False, sms=False)
    for u in (a, b, c):
        Subscription.objects.create(user=u, division=town)
    w = to_state(world, "published", colour="orange")
    assert set(
        Message.objects.filter(event="warnings.alert").values_list("recipient__username", flat=True)
    ) == {
        "sub-a",
        "sub-b",
    }
    rows = {(d.message.recipient.username, d.channel) for d in Delivery.objects.filter(message__isnull=False)}
    assert rows == {("sub-a", "sms"), ("sub-a", "email")}
    sms = Delivery.objects.get(channel="sms")
    assert sms.target == "13800000001" and w.headline in sms.payload["text"]
