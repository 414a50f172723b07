"""Build the risk module's rows through the real actions (so that audit and deadlines are there)."""

from __future__ import annotations

from typing import Any

from pingan.risks import actions
from pingan.risks.models import CheckTask, MajorHazardSource, RiskObject


def city_point(
    world: Any,
    area: str = "qingcheng",
    *,
    name: str = "凤城广场",
    lat: float | None = None,
    lon: float | None = None,
) -> RiskObject:
    keeper = world.user("area_staff", area)
    return actions.do_create_object(
        keeper,
        kind="city_point",
        name=name,
        point_type="crowded",
        division=world.towns[area],
        lat=lat,
        lon=lon,
    )


def analysis_unit(
    world: Any,
    area: str = "qingcheng",
    *,
    name: str = "液氯储罐区",
    lat: float | None = 23.7,
    lon: float | None = 113.05,
) -> RiskObject:
    return actions.do_create_object(
        world.user("enterprise", area),
        kind="analysis_unit",
        name=name,
        point_type="storage",
        enterprise=world.enterprises[area],
        lat=lat,
        lon=lon,
    )


def chain(world: Any, obj: RiskObject, actor: Any = None, **task_kw: Any) -> CheckTask:
    """risk object → event → measure → a daily check task."""
    actor = actor or (
        world.user("enterprise", "qingcheng")
        if obj.kind == "analysis_unit"
        else world.user("area_staff", "qingcheng" if obj.division.path.startswith("441802") else "yingde")
    )
    event = actions.do_add_event(actor, obj, name="踩踏")
    measure = actions.do_add_measure(actor, event, kind="management", description="人流疏导")
    return actions.do_add_task(
        actor, measure, name=task_kw.pop("name", "巡查人流"), cycle=task_kw.pop("cycle", "daily"), **task_kw
    )


CHLORINE = [{"chemical": "氯", "quantity": "6.25"}]


def mhs(
    world: Any, area: str = "qingcheng", chemicals: list | None = None, population: int = 100
) -> MajorHazardSource:
    return actions.do_declare_mhs(
        world.user("enterprise", area),
        world.enterprises[area],
        name="液氯罐区",
        unit_kind="storage",
        population=population,
        chemicals=chemicals or CHLORINE,
    )
