import pytest

from pingan.org.models import Enterprise, User


@pytest.mark.django_db
def test_district_staff_see_only_their_district(world):
    qc = world.user("area_staff", "qingcheng")
    names = set(Enterprise.objects.visible_to(qc).values_list("name", flat=True))
    assert names == {"清城测试化工有限公司"}


@pytest.mark.django_db
def test_city_admin_sees_all_and_enterprise_user_sees_itself(world):
    assert Enterprise.objects.visible_to(world.user("city_admin", "city")).count() == 2
    ent = world.user("enterprise", "yingde")
    assert list(Enterprise.objects.visible_to(ent)) == [world.enterprises["yingde"]]


@pytest.mark.django_db
def test_public_and_anonymous_see_no_enterprises(world):
    from django.contrib.auth.models import AnonymousUser

    assert Enterprise.objects.visible_to(world.user("public", "city")).count() == 0
    assert Enterprise.objects.visible_to(AnonymousUser()).count() == 0


@pytest.mark.django_db
def test_people_scope(world):
    yd = world.user("area_staff", "yingde")
    visible = set(User.objects.visible_to(yd).values_list("username", flat=True))
    assert "yingde_grid" in visible and "qingcheng_grid" not in visible
    citizen = world.user("public", "city")
    assert list(User.objects.visible_to(citizen)) == [citizen]
