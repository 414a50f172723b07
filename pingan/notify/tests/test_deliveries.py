"""Queueing per preferences, sending after commit only, retries with back-off, no double sends."""

from __future__ import annotations

import datetime
import email
import time

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction

from pingan.notify import deliveries
from pingan.notify.choices import DeliveryStatus
from pingan.notify.deliveries import claim, queue_deliveries, send_due, send_one
from pingan.notify.models import Delivery, Message, Preference, SmsRecord
from pingan.notify.rules import verify_webhook_signature
from pingan.notify.services import notify

SECRET = "receiver-shared-secret-0123"
T0 = datetime.datetime(2026, 7, 1, 8, 0, tzinfo=datetime.UTC)


def make_people(n, **extra):
    User = get_user_model()
    return [
        User.objects.create_user(username=f"p{i}", password="x" * 12, role="area_staff", **extra)
        for i in range(n)
    ]


def test_queue_follows_each_persons_preferences(db):
    a, b, c, d = make_people(4)
    a.email, a.phone = "a@example.cn", "13800000001"
    b.email, b.phone = "b@example.cn", "13800000002"
    c.phone = "13800000003"
    for p in (a, b, c):
        p.save()
    Preference.objects.create(
        user=b,
        email=False,
        sms=False,
        webhook_url="https://qyapi.weixin.qq.com/x?key=1",
        webhook_kind="wecom",
    )
    notify([a, b, c, d], event="t.normal", title="普通")
    got = {
        (dl.message.recipient.username, dl.channel)
        for dl in Delivery.objects.select_related("message__recipient")
    }
    assert got == {("p0", "email"), ("p1", "wecom")}
    Delivery.objects.all().delete()
    notify([a, b, c, d], event="t.urgent", title="紧急", urgent=True)
    got = {
        (dl.message.recipient.username, dl.channel, dl.target)
        for dl in Delivery.objects.select_related("message__recipient")
    }
    assert got == {
        ("p0", "email", "a@example.cn"),
        ("p0", "sms", "13800000001"),
        ("p1", "wecom", "https://qyapi.weixin.qq.com/x?key=1"),
        ("p2", "sms", "13800000003"),
    }
    assert all(dl.status == DeliveryStatus.PENDING and dl.attempts == 0 for dl in Delivery.objects.all())


def test_notify_dedupes_and_skips_inactive(db):
    a, b = make_people(2, email="x@example.cn")
    b.is_active = False
    b.save()
    msgs = notify([a, a, None, b], event="t", title="x")
    assert len(msgs) == 1 and Delivery.objects.count() == 1


def test_lazy_text_is_accepted(db):
    from django.utils.translation import gettext_lazy

    (person,) = make_people(1, email="x@example.cn")
    (m,) = notify(
        [person], event="t", title=gettext_lazy("测试通知"), body=gettext_lazy("测试通知"), url=None
    )
    m.refresh_from_db()
    assert (m.title, m.body, m.url) == ("测试通知", "测试通知", "")
    assert "测试通知" in Delivery.objects.get().payload["body"]


@pytest.mark.parametrize("n", [1, 40])
def test_queueing_is_constant_in_queries(db, n, django_assert_max_num_queries):
    people = make_people(n, email="x@example.cn", phone="13800000000")
    for p in people[::2]:
        Preference.objects.create(
            user=p, webhook_url="https://oapi.dingtalk.com/robot/send?access_token=t", webhook_kind="dingtalk"
        )
    messages = Message.objects.bulk_create(
        [Message(recipient=p, event="t", title="x", urgent=True) for p in people]
    )
    # The preferences, then one bulk insert (SQLite splits an insert above 999 parameters in two).
    with django_assert_max_num_queries(3):
        queue_deliveries(messages)
    assert Delivery.objects.count() == n * 2 + len(people[::2])


def test_retries_with_back_off_until_the_receiver_accepts(person, receiver, loopback_ok):
    """The receiver fails twice, then succeeds: three attempts, 1 and 2 minutes apart, one signed
    body, and nothing sent before its time or after success."""
    Preference.objects.create(
        user=person,
        email=False,
        webhook_url=receiver.url + "/hook",
        webhook_kind="webhook",
        webhook_secret=SECRET,
    )
    verified = []
    receiver.check = lambda r: (
        verified.append(
            verify_webhook_signature(
                SECRET,
                r.headers["x-pingan-timestamp"],
                r.body,
                r.headers["x-pingan-signature"],
                now=time.time(),
            )
        )
        or None
    )
    receiver.script = [(500, b"down"), (503, b"still down")]
    receiver.default = (200, b"{}")
    with time_machine.travel(T0, tick=False) as clock:
        notify([person], event="t.retry", title="重试测试")
        (d,) = Delivery.objects.all()

        assert send_due()["retrying"] == 1
        d.refresh_from_db()
        assert (d.status, d.attempts) == ("retrying", 1) and "500" in d.last_error
        assert d.next_attempt_at == T0 + datetime.timedelta(minutes=1)

        clock.shift(59)
        assert send_due() == {"sent": 0, "retrying": 0, "failed": 0, "skipped": 0, "released": 0}
        assert len(receiver.requests) == 1

        clock.shift(1)
        assert send_due()["retrying"] == 1
        d.refresh_from_db()
        assert (d.status, d.attempts) == ("retrying", 2) and "503" in d.last_error
        assert d.next_attempt_at == T0 + datetime.timedelta(minutes=1 + 2)

        clock.shift(119)
        send_due()
        assert len(receiver.requests) == 2
        clock.shift(1)
        assert send_due()["sent"] == 1
        d.refresh_from_db()
        assert (d.status, d.attempts, d.last_error) == ("sent", 3, "")
        assert d.sent_at == T0 + datetime.timedelta(minutes=3)

        clock.shift(3600)
        send_due()
        send_due()
    assert len(receiver.requests) == 3 and verified == [True, True, True]
    # The same delivery every time (receivers dedupe on it), the same body.
    assert {r.headers["x-pingan-delivery"] for r in receiver.requests} == {str(d.pk)}
    assert len({r.body for r in receiver.requests}) == 1


def test_failed_after_max_attempts_and_permanent_errors_at_once(person, receiver, loopback_ok, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    Preference.objects.create(
        user=person,
        email=False,
        webhook_url=receiver.url + "/hook",
        webhook_kind="webhook",
        webhook_secret=SECRET,
    )
    receiver.default = (500, b"down")
    with time_machine.travel(T0, tick=False) as clock:
        notify([person], event="t", title="x")
        for _ in range(5):
            send_due()
            clock.shift(3600)
    d = Delivery.objects.get()
    assert (d.status, d.attempts) == ("failed", 3) and len(receiver.requests) == 3

    receiver.requests.clear()
    receiver.default = (410, b"gone")
    notify([person], event="t", title="y")
    send_due()
    d = Delivery.objects.order_by("-id").first()
    assert (d.status, d.attempts) == ("failed", 1) and "410" in d.last_error


def test_running_the_reconciler_twice_sends_once(person, receiver, loopback_ok):
    from pingan.notify.tasks import reconcile_deliveries

    person.email, person.phone = "p@example.cn", "13800000000"
    person.save()
    Preference.objects.create(
        user=person, webhook_url=receiver.url + "/hook", webhook_kind="webhook", webhook_secret=SECRET
    )
    notify([person], event="t", title="一次", urgent=True)
    first = reconcile_deliveries.call_local()
    second = reconcile_deliveries.call_local()
    assert first["sent"] == 3 and second["sent"] == 0
    assert len(receiver.requests) == 1 and len(mail.outbox) == 1 and SmsRecord.objects.count() == 1


def test_a_run_sends_every_due_delivery_in_batches(db, settings):
    settings.NOTIFY_BATCH_SIZE = 2
    people = make_people(5, phone="13800000000")
    notify(people, event="t", title="批量", urgent=True)
    assert send_due() == {"sent": 5, "retrying": 0, "failed": 0, "skipped": 0, "released": 0}
    assert SmsRecord.objects.count() == 5


def test_a_claimed_delivery_is_not_sent_by_a_second_worker(person, receiver, loopback_ok):
    Preference.objects.create(
        user=person,
        email=False,
        webhook_url=receiver.url + "/hook",
        webhook_kind="webhook",
        webhook_secret=SECRET,
    )
    notify([person], event="t", title="x")
    d = Delivery.objects.get()
    now = deliveries.timezone.now()
    assert claim(d.pk, now) is True  # worker 1 holds it …
    assert claim(d.pk, now) is False  # … worker 2 cannot take it
    assert send_one(d.pk, now) is None  # nor send it
    assert send_due()["sent"] == 0
    assert not receiver.requests
    d.refresh_from_db()
    assert (d.status, d.attempts) == ("sending", 1)


def test_a_claim_whose_worker_died_is_retried_after_it_expires(person, receiver, loopback_ok, settings):
    settings.NOTIFY_CLAIM_SECONDS = 600
    Preference.objects.create(
        user=person,
        email=False,
        webhook_url=receiver.url + "/hook",
        webhook_kind="webhook",
        webhook_secret=SECRET,
    )
    with time_machine.travel(T0, tick=False) as clock:
        notify([person], event="t", title="x")
        d = Delivery.objects.get()
        assert claim(d.pk, deliveries.timezone.now())  # the worker dies here, before sending
        clock.shift(599)
        assert send_due()["sent"] == 0 and not receiver.requests
        clock.shift(1)
        result = send_due()
    assert result["released"] == 1 and result["sent"] == 1
    d.refresh_from_db()
    assert (d.status, d.attempts) == ("sent", 2) and len(receiver.requests) == 1


def test_concurrent_claims_on_separate_connections(transactional_db, person):
    """Two threads (two database connections) race for the same due deliveries: each is claimed
    exactly once."""
    import threading

    from django.db import connection

    messages = Message.objects.bulk_create(
        [Message(recipient=person, event="t", title=str(i)) for i in range(30)]
    )
    rows = Delivery.objects.bulk_create(
        [Delivery(message=m, channel="sms", target="1", payload={}) for m in messages]
    )
    ids = [r.pk for r in rows]
    won: dict[str, list[int]] = {"a": [], "b": []}
    now = deliveries.timezone.now()
    barrier = threading.Barrier(2)

    def worker(name):
        try:
            barrier.wait()
            for pk in ids:
                if claim(pk, now):
                    won[name].append(pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in won]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(won["a"] + won["b"]) == sorted(ids)
    assert not set(won["a"]) & set(won["b"])
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}


def test_nothing_is_sent_when_the_transaction_rolls_back(transactional_db, receiver, loopback_ok):
    (person,) = make_people(1, email="p@example.cn", phone="13800000000")
    Preference.objects.create(
        user=person, webhook_url=receiver.url + "/hook", webhook_kind="webhook", webhook_secret=SECRET
    )

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with transaction.atomic():
            notify([person], event="t", title="回滚", urgent=True)
            assert Delivery.objects.count() == 3
            raise Boom
    assert Message.objects.count() == 0 and Delivery.objects.count() == 0
    send_due()
    assert not receiver.requests and not mail.outbox and not SmsRecord.objects.exists()


def test_sending_happens_after_commit_only(transactional_db, receiver, loopback_ok):
    """The committed path end to end: notify() inside the change's transaction; nothing leaves
    before COMMIT; the on-commit kick runs the huey task (inline in tests) which sends."""
    (person,) = make_people(1, email="p@example.cn")
    Preference.objects.create(
        user=person, webhook_url=receiver.url + "/hook", webhook_kind="webhook", webhook_secret=SECRET
    )
    with transaction.atomic():
        notify([person], event="t", title="提交后发送")
        assert not receiver.requests and not mail.outbox
    assert len(receiver.requests) == 1 and len(mail.outbox) == 1
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_email_end_to_end_through_smtp(transactional_db, smtp_server):
    (person,) = make_people(1, email="li@example.cn")
    with transaction.atomic():
        notify([person], event="t", title="SMTP 测试", body="正文")
        assert not smtp_server.envelopes
    (env,) = smtp_server.envelopes
    assert env.rcpt_tos == ["li@example.cn"]
    parsed = email.message_from_bytes(env.original_content)
    assert "正文" in parsed.get_payload(decode=True).decode(parsed.get_content_charset())
    d = Delivery.objects.get()
    assert (d.status, d.channel, d.response) == ("sent", "email", "accepted by SMTP")


def test_the_kick_is_skipped_when_nothing_is_queued(db, django_capture_on_commit_callbacks):
    (person,) = make_people(1)
    with django_capture_on_commit_callbacks() as callbacks:
        notify([person], event="t", title="只有站内信")
    assert callbacks == [] and Message.objects.count() == 1
