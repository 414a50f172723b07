"""The inbox and preference API over every role of MATRIX_PEOPLE: each person sees and changes
only their own messages and preference; another person's message answers 404."""

from __future__ import annotations

import pytest

from pingan.core.models import AuditEvent
from pingan.core.testing import MATRIX_PEOPLE
from pingan.notify.models import Message, Preference
from pingan.notify.services import notify

ANONYMOUS = (None, "city")
EVERYONE = [*MATRIX_PEOPLE, ANONYMOUS]


@pytest.fixture
def stranger(world):
    """Someone outside the matrix whose messages nobody else may touch."""
    return world.user("grid_worker", "yingde")


def setup_inbox(world, stranger, role, area):
    theirs = notify([stranger], event="t.other", title="别人的消息")[0]
    if role is None:
        return None, theirs
    me = world.user(role, area)
    mine = notify([me], event="t.mine", title="我的消息", urgent=True)[0]
    notify([me], event="t.mine", title="我的第二条")
    return mine, theirs


@pytest.mark.parametrize("role,area", EVERYONE)
def test_inbox_matrix(world, login_api, stranger, role, area):
    api = login_api(role, area)
    mine, theirs = setup_inbox(world, stranger, role, area)
    listing = api.get("/api/v1/inbox/")
    if role is None:
        assert listing.status_code in (401, 403)
        assert api.get(f"/api/v1/inbox/{theirs.pk}/").status_code in (401, 403)
        assert api.post(f"/api/v1/inbox/{theirs.pk}/read/").status_code in (401, 403)
        assert api.post("/api/v1/inbox/read-all/").status_code in (401, 403)
        theirs.refresh_from_db()
        assert theirs.read_at is None
        return
    assert listing.status_code == 200
    assert {m["title"] for m in listing.json()["results"]} == {"我的消息", "我的第二条"}
    assert api.get(f"/api/v1/inbox/{mine.pk}/").json()["urgent"] is True
    # Another person's message: 404, exactly like a missing one — for every role, city admin too.
    assert api.get(f"/api/v1/inbox/{theirs.pk}/").status_code == 404
    assert api.get("/api/v1/inbox/999999/").status_code == 404
    assert api.post(f"/api/v1/inbox/{theirs.pk}/read/").status_code == 404

    read = api.post(f"/api/v1/inbox/{mine.pk}/read/")
    assert read.status_code == 200 and read.json()["unread"] is False
    unread = api.get("/api/v1/inbox/?unread=1").json()["results"]
    assert [m["title"] for m in unread] == ["我的第二条"]
    assert api.post("/api/v1/inbox/read-all/").json() == {"marked": 1}
    assert api.get("/api/v1/inbox/?unread=1").json()["results"] == []
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize("role,area", EVERYONE)
def test_preference_matrix(world, login_api, stranger, role, area):
    api = login_api(role, area)
    Preference.objects.create(user=stranger, email=False)
    url = "/api/v1/notification-preferences/me/"
    if role is None:
        assert api.get(url).status_code in (401, 403)
        assert api.put(url, {"email": False}).status_code in (401, 403)
        assert api.patch(url, {"sms": False}).status_code in (401, 403)
        return
    me = world.user(role, area)
    got = api.get(url)
    assert got.status_code == 200
    assert got.json() | {"updated_at": None} == {
        "email": True,
        "sms": True,
        "webhook_url": "",
        "webhook_kind": "",
        "webhook_secret_set": False,
        "updated_at": None,
    }
    body = {
        "email": False,
        "sms": True,
        "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=abc",
        "webhook_kind": "dingtalk",
        "webhook_secret": "SEC0123456789",
    }
    put = api.put(url, body)
    assert put.status_code == 200, put.json()
    assert put.json()["webhook_secret_set"] is True and "webhook_secret" not in put.json()
    patch = api.patch(url, {"sms": False})
    assert (
        patch.status_code == 200
        and patch.json()["sms"] is False
        and patch.json()["webhook_secret_set"] is True
    )
    pref = Preference.objects.get(user=me)
    assert (pref.email, pref.sms, pref.webhook_kind, pref.webhook_secret) == (
        False,
        False,
        "dingtalk",
        "SEC0123456789",
    )
    # Only the caller's own row changed.
    assert Preference.objects.get(user=stranger).email is False and Preference.objects.count() == 2
    events = AuditEvent.objects.filter(action="notify.preference.update", actor=me)
    assert events.count() == 2
    assert all("SEC0123456789" not in str(e.after) + str(e.before) for e in events)


@pytest.mark.parametrize(
    "body,field,code",
    [
        ({"webhook_url": "https://a.cn/h"}, "webhook_kind", "kind_required"),
        ({"webhook_kind": "wecom"}, "webhook_url", "url_required"),
        ({"webhook_url": "https://a.cn/h", "webhook_kind": "webhook"}, "webhook_secret", "secret_required"),
        (
            {"webhook_url": "https://a.cn/h", "webhook_kind": "webhook", "webhook_secret": "short"},
            "webhook_secret",
            "secret_short",
        ),
        ({"webhook_url": "http://127.0.0.1:9/h", "webhook_kind": "wecom"}, "webhook_url", "host_forbidden"),
        ({"webhook_url": "not a url", "webhook_kind": "wecom"}, "webhook_url", "invalid"),
        ({"webhook_url": "https://a.cn/h", "webhook_kind": "fax"}, "webhook_kind", "invalid_choice"),
    ],
)
def test_preference_errors_name_the_field(world, login_api, body, field, code):
    r = login_api("area_staff").put("/api/v1/notification-preferences/me/", body)
    assert r.status_code == 400
    assert {"field": field, "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in r.json()["errors"]
    ]
    assert not Preference.objects.filter(user=world.user("area_staff")).exists()


def test_secret_is_write_only_and_kept_until_changed(world, login_api):
    api = login_api("area_staff")
    url = "/api/v1/notification-preferences/me/"
    me = world.user("area_staff")
    api.put(
        url,
        {"webhook_url": "https://hooks.example.cn/a", "webhook_kind": "webhook", "webhook_secret": "s" * 20},
    )
    api.put(url, {"webhook_url": "https://hooks.example.cn/b", "webhook_kind": "webhook"})
    assert Preference.objects.get(user=me).webhook_secret == "s" * 20  # kept
    # Switching format drops the old secret (a JSON-webhook secret is no DingTalk secret).
    assert (
        api.put(
            url,
            {
                "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=t",
                "webhook_kind": "dingtalk",
            },
        ).status_code
        == 200
    )
    assert Preference.objects.get(user=me).webhook_secret == ""
    api.patch(url, {"webhook_secret": "SECabc"})
    assert api.patch(url, {"clear_webhook_secret": True}).json()["webhook_secret_set"] is False
    api.put(url, {"webhook_url": "", "webhook_kind": ""})
    assert Preference.objects.get(user=me).webhook_url == ""


@pytest.mark.parametrize("n", [1, 60])
def test_inbox_list_is_constant_in_queries(world, login_api, n, django_assert_max_num_queries):
    me = world.user("duty_officer")
    Message.objects.bulk_create([Message(recipient=me, event="t", title=str(i)) for i in range(n)])
    api = login_api("duty_officer")
    with django_assert_max_num_queries(3):
        r = api.get("/api/v1/inbox/?unread=1")
    assert r.json()["count"] == n
