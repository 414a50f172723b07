"""org's permissions are the one decision for the console, the API and the actions."""

import pytest
from django.test import Client

from pingan.core.permissions import may

WRITERS = {("city_admin", "city"), ("dept_staff", "qingcheng"), ("dept_staff", "yingde")}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,area",
    [
        ("city_admin", "city"),
        ("dept_staff", "qingcheng"),
        ("area_staff", "qingcheng"),
        ("grid_worker", "qingcheng"),
        ("inspector", "qingcheng"),
        ("enterprise", "qingcheng"),
        ("public", "city"),
        ("dept_staff", "yingde"),
    ],
)
def test_enterprise_register_console_and_api_agree(world, login_api, role, area):
    user = world.user(role, area)
    qc = world.enterprises["qingcheng"]
    console = Client()
    console.force_login(user)
    api = login_api(role, area)
    writer = (role, area) in WRITERS
    assert may(user, "org.create_enterprise") is writer
    new = console.get("/console/org/enterprises/new/").status_code
    assert new == (200 if writer else 403)
    r = api.post("/api/v1/enterprises/", {"name": "x"}, format="json")
    assert r.status_code == (400 if writer else 403)  # a writer's bad body names the field
    visible = user.role not in ("public",) and (area in ("city", "qingcheng"))
    edit = console.get(f"/console/org/enterprises/{qc.pk}/edit/").status_code
    patch = api.patch(f"/api/v1/enterprises/{qc.pk}/", {"contact_phone": "0763-1"}, format="json").status_code
    if role == "enterprise":
        assert (edit, patch) == (403, 403)  # sees its own enterprise, may not edit the register
    elif not visible:
        assert (edit, patch) == (403 if role == "public" else 404, 404)  # out of scope: 404 as if missing
    elif writer:
        assert (edit, patch) == (200, 200)
    else:
        assert (edit, patch) == (403, 403)
    if writer or role == "enterprise" or not visible:
        return
    body = console.get("/console/org/enterprises/").content.decode()
    assert "enterprise-create-link" not in body and "enterprise-import-link" not in body  # not offered


@pytest.mark.django_db
def test_unlocking_asks_org_unlock_user(world):
    from pingan.core.actions import Forbidden
    from pingan.org.actions import do_unlock

    with pytest.raises(Forbidden):
        do_unlock(world.user("dept_staff"), world.user("area_staff"))
    do_unlock(world.user("city_admin", "city"), world.user("area_staff"))
