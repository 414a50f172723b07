import datetime as dt

import pytest
from django.utils import timezone

from pingan.core.testing import PASSWORD
from pingan.emergency.models import DutyPost, Shift
from pingan.org.models import User


def make_duty(world):
    """Duty posts for 英德市, 清城区 and 清远市 emergency bureaux, each with one shift from 2025 to a month ahead."""  # noqa: E501
    city_duty = User.objects.create_user(
        username="city_duty_t",
        password=PASSWORD,
        role="duty_officer",
        division=world.city,
        department=world.departments["city_em"],
        display_name="市值班员",
    )
    city_leader = User.objects.create_user(
        username="city_leader_t",
        password=PASSWORD,
        role="duty_leader",
        division=world.city,
        department=world.departments["city_em"],
        display_name="市带班领导",
    )
    world.users[("duty_officer", "city")] = city_duty
    world.users[("duty_leader", "city")] = city_leader
    now = timezone.now()
    posts = {}
    for key, dept, division, level, officer, leader in (
        (
            "yingde",
            world.departments["yd_em"],
            world.districts["yingde"],
            "district",
            world.user("duty_officer", "yingde"),
            world.user("duty_leader", "yingde"),
        ),
        (
            "qingcheng",
            world.departments["qc_em"],
            world.districts["qingcheng"],
            "district",
            world.user("duty_officer", "qingcheng"),
            world.user("duty_leader", "qingcheng"),
        ),
        ("city", world.departments["city_em"], world.city, "city", city_duty, city_leader),
    ):
        post = DutyPost.objects.create(
            name=f"{dept.name}值班室", department=dept, division=division, level=level
        )
        shift = Shift.objects.create(
            post=post,
            starts_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            ends_at=now + dt.timedelta(days=30),
            leader=leader,
        )
        shift.officers.add(officer)
        posts[key] = post
    return posts


@pytest.fixture
def duty(world):
    return make_duty(world)
