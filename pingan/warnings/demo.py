"""Demo early warnings (labelled is_synthetic): one published rainstorm warning of 英德市 that the
portal's map shows, a monitoring proposal waiting in the console, and the demo citizen subscribed to
a township of it. Idempotent; made through the actions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from pingan.geo.models import Division
from pingan.org.models import User

from . import actions, services
from .choices import MsgType
from .models import EarlyWarning, Subscription


def seed(log: Callable[[str], Any] = print) -> None:
    if EarlyWarning.objects.filter(is_synthetic=True).exists():
        log("warnings: demo warnings already present")
        return
    district = (
        Division.objects.filter(code="441881").first() or Division.objects.filter(level="district").first()
    )
    writer = User.objects.filter(username="yingde_duty").first()
    leader = User.objects.filter(username="city_leader").first()
    if district is None or writer is None or leader is None:
        log("warnings: geo/org demo not seeded; skipping")
        return
    towns = list(Division.objects.filter(parent=district, level="town").order_by("code")[:3])
    now = timezone.now()
    data = {
        "category": "natural",
        "event_code": "11B03",
        "colour": "yellow",
        "headline": f"{district.name}暴雨黄色预警",
        "onset": now,
        "description": f"预计未来6小时{district.name}北部将出现50毫米以上降雨,局部伴有雷电和短时大风。",
        "instruction": "注意防范城乡积涝和山洪、滑坡;危险地带人员及时转移;驾车避开积水路段。",
        "expires": now + timedelta(hours=6),
    }
    areas = [{"division": t.code, "area_desc": t.name} for t in towns] or None
    w = actions.do_create(writer, district, data, areas)
    w = actions.do_submit(writer, w)
    w = actions.do_approve(leader, w, "同意发布")
    w = actions.do_publish(writer, w)
    citizen = User.objects.filter(username="citizen").first()
    if citizen is not None and towns:
        Subscription.objects.get_or_create(user=citizen, division=towns[0])
    town = towns[-1] if towns else district
    proposal = services.propose_from_rainstorm("orange", town, rain_mm=58, hours=3, station="英德水文站")
    EarlyWarning.objects.filter(pk__in=[w.pk] + ([proposal.pk] if proposal else [])).update(is_synthetic=True)
    log(
        f"warnings: published {w.identifier}; proposal {'made' if proposal else 'skipped'}; "
        f"{EarlyWarning.objects.filter(msg_type=MsgType.ALERT).count()} warnings"
    )
