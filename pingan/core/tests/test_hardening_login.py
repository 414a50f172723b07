"""One login policy for every door (django-axes): the console login and /admin/ share the lock-out,
which is keyed on username AND client address, answers the same for unknown and known usernames,
and is audited; the client address is the real one behind the trusted proxies."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from pingan.core.middleware import real_client_ip
from pingan.core.models import AuditEvent
from pingan.org.models import User

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
LIMIT = 5


def attempt(client: Client, username: str, password: str, url: str = LOGIN, ip: str = "203.0.113.10"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def root(world):
    return User.objects.create_superuser(
        "root", password="Pingan-root-2026!", role="city_admin", division=world.city
    )


def test_admin_login_is_locked_out_and_audited(client, root):
    for _ in range(LIMIT - 1):
        r = attempt(client, "root", "wrong", ADMIN_LOGIN)
        assert r.status_code == 200
    assert attempt(client, "root", "wrong", ADMIN_LOGIN).status_code == 429
    # Locked: the right password is refused too, with the same answer.
    r = attempt(client, "root", "Pingan-root-2026!", ADMIN_LOGIN)
    assert r.status_code == 429 and "_auth_user_id" not in client.session
    events = AuditEvent.objects.for_object(root)
    assert events.filter(action="org.user.login_failed").count() >= LIMIT
    locked = events.filter(action="org.user.locked").first()  # again on each refused try while locked
    assert locked.after["ip"] == "203.0.113.10" and locked.ip == "203.0.113.10"


def test_failures_at_the_console_door_lock_the_admin_door(client, root):
    for _ in range(LIMIT):
        attempt(client, "root", "wrong", LOGIN)
    assert attempt(client, "root", "Pingan-root-2026!", ADMIN_LOGIN).status_code == 429


def test_nobody_can_lock_a_duty_officer_out_from_another_address(client, world, password):
    officer = world.user("area_staff")
    for _ in range(LIMIT + 2):
        attempt(client, officer.username, "wrong", ip="198.51.100.66")  # the attacker
    assert attempt(client, officer.username, "wrong", ip="198.51.100.66").status_code == 429
    r = attempt(Client(), officer.username, password, ip="203.0.113.20")  # the officer, elsewhere
    assert r.status_code == 302


def test_unknown_and_known_usernames_get_the_same_answers(client, world):
    known = world.user("area_staff").username
    answers = {}
    for name in (known, "no-such-person"):
        c = Client()
        first = attempt(c, name, "wrong", ip="192.0.2.1")
        for _ in range(LIMIT - 1):
            last = attempt(c, name, "wrong", ip="192.0.2.1")
        page = re.sub(r"[A-Za-z0-9]{64}", "CSRF", last.content.decode().replace(name, "NAME"))
        answers[name] = (first.status_code, last.status_code, page)
    assert answers[known] == answers["no-such-person"]
    assert answers[known][:2] == (200, 429)
    unknown_failures = AuditEvent.objects.filter(
        action="org.user.login_failed", after__username="no-such-person"
    )
    assert unknown_failures.count() == LIMIT


def test_successful_login_is_audited_with_the_client_address(client, world, password):
    user = world.user("area_staff")
    assert attempt(client, user.username, password, ip="203.0.113.99").status_code == 302
    event = AuditEvent.objects.for_object(user).get(action="org.user.login")
    assert event.actor == user and event.ip == "203.0.113.99"


# --- The real client address ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "meta", "expected"),
    [
        (
            0,
            {"REMOTE_ADDR": "203.0.113.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4"},
            "203.0.113.5",
        ),  # header not believed
        (
            1,
            {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.5"},
            "203.0.113.5",
        ),  # spoofed left part
        (
            2,
            {"REMOTE_ADDR": "10.0.0.3", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.5, 10.0.0.2"},
            "203.0.113.5",
        ),
        (1, {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "not-an-ip"}, "10.0.0.2"),
        (1, {"REMOTE_ADDR": "10.0.0.2"}, "10.0.0.2"),
        (1, {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "[2001:db8::7]:4431"}, "2001:db8::7"),
    ],
)
def test_client_address_behind_trusted_proxies(settings, count, meta, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert real_client_ip(meta) == expected


def test_a_spoofed_forwarded_for_cannot_dodge_the_lockout(client, world, settings):
    """Without a trusted proxy, X-Forwarded-For is ignored: rotating it does not reset the count."""
    settings.TRUSTED_PROXY_COUNT = 0
    name = world.user("area_staff").username
    for i in range(LIMIT):
        client.post(
            LOGIN,
            {"username": name, "password": "x"},
            REMOTE_ADDR="192.0.2.9",
            HTTP_X_FORWARDED_FOR=f"10.9.9.{i}",
        )
    r = client.post(
        LOGIN, {"username": name, "password": "x"}, REMOTE_ADDR="192.0.2.9", HTTP_X_FORWARDED_FOR="10.9.9.200"
    )
    assert r.status_code == 429


def test_behind_the_proxy_citizens_are_told_apart(client, world, settings, password):
    settings.TRUSTED_PROXY_COUNT = 1
    user = world.user("area_staff")
    for _ in range(LIMIT):
        client.post(
            LOGIN,
            {"username": user.username, "password": "x"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="198.51.100.1",
        )
    r = Client().post(
        LOGIN,
        {"username": user.username, "password": password},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )
    assert r.status_code == 302  # same proxy, another citizen: not locked
