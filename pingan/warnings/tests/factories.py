"""Warnings in each state, made through the actions (so every test starts from a real history)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from pingan.warnings import actions
from pingan.warnings.models import EarlyWarning


def content(**over: Any) -> dict[str, Any]:
    now = timezone.now()
    data = {
        "category": "natural",
        "event_code": "11B03",
        "colour": "yellow",
        "headline": "清城区暴雨黄色预警",
        "description": "预计未来6小时清城区降雨量将达50毫米以上。",
        "instruction": "注意防范城乡积涝。",
        "onset": now,
        "expires": now + timedelta(hours=6),
    }
    return data | over


def draft(
    world: Any, area: str = "qingcheng", *, by: Any = None, areas: Any = None, **over: Any
) -> EarlyWarning:
    writer = by or world.user("duty_officer", area)
    return actions.do_create(writer, world.districts[area], content(**over), areas)


def approver_for(world: Any, w: EarlyWarning, area: str = "qingcheng") -> Any:
    return (
        world.user("city_admin", "city") if w.colour in ("red", "orange") else world.user("duty_leader", area)
    )


def to_state(world: Any, state: str, area: str = "qingcheng", **over: Any) -> EarlyWarning:
    w = draft(world, area, **over)
    if state == "draft":
        return w
    w = actions.do_submit(world.user("duty_officer", area), w)
    if state == "review":
        return w
    w = actions.do_approve(approver_for(world, w, area), w)
    if state == "approved":
        return w
    return actions.do_publish(world.user("duty_officer", area), w)


def publish_follow_up(
    world: Any, w: EarlyWarning, msg_type: str, area: str = "qingcheng", **data: Any
) -> EarlyWarning:
    officer = world.user("duty_officer", area)
    m = actions.do_follow_up(officer, w, msg_type, data)
    m = actions.do_submit(officer, m)
    m = actions.do_approve(approver_for(world, m, area), m)
    return actions.do_publish(officer, m)
