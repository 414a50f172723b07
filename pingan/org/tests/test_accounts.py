from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from pingan.core.models import AuditEvent
from pingan.org.models import User

LOGIN = "/accounts/login/"


def attempt(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


@pytest.mark.django_db
def test_five_failures_lock_the_account_for_fifteen_minutes(client, world, password):
    """The lock-out is django-axes' (one policy for every door; see core/tests/test_hardening_login.py
    for /admin/, addresses and unknown usernames)."""
    user = world.user("area_staff")
    for _ in range(4):
        r = attempt(client, user.username, "wrong-password")
        assert r.status_code == 200 and "_auth_user_id" not in client.session
    r = attempt(client, user.username, "wrong-password")
    assert r.status_code == 429 and "锁定" not in r.content.decode() and "分钟后再试" in r.content.decode()
    # Locked: even the right password is refused, with the same answer.
    r = attempt(client, user.username, password)
    assert r.status_code == 429 and "_auth_user_id" not in client.session
    actions = list(AuditEvent.objects.for_object(user).values_list("action", flat=True))
    assert actions.count("org.user.login_failed") >= 5 and actions.count("org.user.locked") >= 1
    # After 15 minutes the right password works again.
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        r = attempt(client, user.username, password)
        assert r.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    assert AuditEvent.objects.for_object(user).filter(action="org.user.login").exists()


@pytest.mark.django_db
def test_success_resets_the_count(client, world, password):
    user = world.user("grid_worker")
    for _ in range(3):
        attempt(client, user.username, "nope")
    assert attempt(client, user.username, password).status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, user.username, "nope").status_code == 200  # counting from zero again


@pytest.mark.django_db
def test_unknown_username_is_not_an_error_path(client, world):
    r = attempt(client, "nobody-here", "whatever")
    assert r.status_code == 200 and not User.objects.filter(username="nobody-here").exists()


@pytest.mark.django_db
def test_admin_unlock_action(client, world):
    user = world.user("area_staff")
    for _ in range(5):
        attempt(client, user.username, "wrong-password")
    assert attempt(client, user.username, "wrong-password").status_code == 429
    root = User.objects.create_superuser(
        "root", password="Pingan-root-2026!", role="city_admin", division=world.city
    )
    client.force_login(root)
    # The admin's "locked" filter reads axes' attempts (the hand-written counter is gone).
    r = client.get("/admin/org/user/", {"locked": "yes"})
    assert r.status_code == 200 and user.username in r.content.decode()
    assert world.user("grid_worker").username not in r.content.decode()
    r = client.post("/admin/org/user/", {"action": "unlock", "_selected_action": [user.pk]})
    assert r.status_code == 302
    client.logout()
    assert attempt(client, user.username, "wrong-password").status_code == 200  # lifted
    event = AuditEvent.objects.for_object(user).get(action="org.user.unlocked")
    assert event.actor == root and event.before == {"attempts": 1}


def test_the_hand_written_lockout_fields_are_gone():
    names = {f.name for f in User._meta.get_fields()}
    assert not names & {"failed_logins", "locked_until"}


@pytest.mark.django_db
def test_password_change(client, world, password):
    user = world.user("area_staff")
    client.force_login(user)
    assert client.get("/accounts/password/").status_code == 200
    weak = client.post(
        "/accounts/password/",
        {"old_password": password, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert weak.status_code == 200  # refused by the validators
    r = client.post(
        "/accounts/password/",
        {
            "old_password": password,
            "new_password1": "Qingyuan-safe-2027#",
            "new_password2": "Qingyuan-safe-2027#",
        },
    )
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Qingyuan-safe-2027#") and not user.check_password(password)


@pytest.mark.django_db
def test_admin_pages_and_audited_admin_change(client, world):
    root = User.objects.create_superuser(
        "root", password="Pingan-root-2026!", role="city_admin", division=world.city
    )
    client.force_login(root)
    for url in (
        "/admin/org/enterprise/?q=清城",
        "/admin/org/user/?role=grid_worker",
        "/admin/org/department/",
        "/admin/org/site/",
        "/admin/geo/division/?q=英德",
        "/admin/core/auditevent/",
        "/admin/core/deadline/",
        "/admin/core/calendaroverride/",
        "/admin/core/link/",
        f"/admin/org/user/{world.user('area_staff').pk}/change/",
        f"/admin/org/enterprise/{world.enterprises['qingcheng'].pk}/change/",
    ):
        assert client.get(url).status_code == 200, url
    r = client.get("/admin/org/enterprise/?q=91350100M000100Y43")
    assert "清城测试化工有限公司" in r.content.decode() and "英德测试建材" not in r.content.decode()
    # Audit events cannot be added, changed or deleted in the admin.
    event = AuditEvent.objects.first()
    assert client.get("/admin/core/auditevent/add/").status_code == 403
    if event is not None:
        assert client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    r = client.post(
        "/admin/core/calendaroverride/add/", {"date": "2027-01-04", "is_workday": "on", "note": "调休"}
    )
    assert r.status_code == 302
    assert AuditEvent.objects.filter(action="core.calendaroverride.admin_add", actor=root).exists()
