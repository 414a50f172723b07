"""An accident case analysis from a closed incident, with personal data removed."""

import pytest
from django.utils import timezone

from pingan.core.actions import ActionError
from pingan.culture import actions
from pingan.emergency.models import Incident

pytestmark = pytest.mark.django_db


def test_case_study_from_a_closed_incident_has_no_personal_data(world):
    inc = Incident.objects.create(
        number="QY-2026-0001",
        title="清城区某厂机械伤害",
        occurred_at=timezone.now(),
        division=world.towns["qingcheng"],
        caller_name="张三",
        caller_phone="13812345678",
        unit_name="清远某五金厂",
        place="凤城街道工业路8号",
        course="张三(13812345678)报告:清远某五金厂冲床未停机检修,工人手部受伤。",
        minor_injuries=1,
    )
    staff = world.user("dept_staff", "qingcheng")
    with pytest.raises(ActionError):  # still open
        actions.do_case_from_incident(staff, inc.pk, "停机检修必须挂牌上锁。")
    Incident.objects.filter(pk=inc.pk).update(state="closed")
    article = actions.do_case_from_incident(staff, inc.pk, "停机检修必须挂牌上锁,联系张三核实。")
    text = article.title + article.summary + article.body
    for personal in ("张三", "13812345678", "清远某五金厂", "工业路8号"):
        assert personal not in text
    assert "冲床" in article.body and "挂牌上锁" in article.body
    assert article.kind == "case" and article.source_incident == "QY-2026-0001"
    # another district's staff cannot see the incident: the same answer as a missing one
    with pytest.raises(ActionError):
        actions.do_case_from_incident(world.user("dept_staff", "yingde"), inc.pk, "x")
