import pytest

from pingan.core.actions import Forbidden
from pingan.core.models import AuditEvent
from pingan.hazards import actions
from pingan.hazards.defaults import ensure_defaults
from pingan.hazards.models import Category, RoutingRule

pytestmark = pytest.mark.django_db


def test_route_changes_are_audited_with_before_and_after(world):
    ensure_defaults()
    admin = world.user("city_admin", "city")
    category = Category.objects.filter(parent__isnull=False).first() or Category.objects.first()
    row = actions.do_save_route(admin, RoutingRule(category=category, level="town", lead_sector="fire"))
    created = AuditEvent.objects.for_object(row).get(action="hazards.route.create")
    assert created.before is None and created.after["lead_sector"] == "fire"

    row.lead_sector = "housing"
    actions.do_save_route(admin, row)
    updated = AuditEvent.objects.for_object(row).get(action="hazards.route.update")
    assert updated.before["lead_sector"] == "fire" and updated.after["lead_sector"] == "housing"

    pk = row.pk
    actions.do_delete_route(admin, row)
    assert not RoutingRule.objects.filter(pk=pk).exists()
    assert AuditEvent.objects.filter(action="hazards.route.delete", object_id=str(pk)).exists()


@pytest.mark.parametrize("role,area", [("dept_staff", "city"), ("area_staff", "qingcheng")])
def test_only_city_administrators_edit_routes(world, role, area):
    ensure_defaults()
    rule = RoutingRule.objects.first()
    with pytest.raises(Forbidden):
        actions.do_save_route(world.user(role, area), rule)
    with pytest.raises(Forbidden):
        actions.do_delete_route(world.user(role, area), rule)
    assert RoutingRule.objects.filter(pk=rule.pk).exists()
