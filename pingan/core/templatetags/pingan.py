"""Template tags for the shared components: map, chart, timeline, coloured pills."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pingan.core.choices import colour_of
from pingan.core.models import AuditEvent

register = template.Library()

# Human labels for audit actions; apps add theirs with `register_action_labels`.
ACTION_LABELS: dict[str, str] = {}


def register_action_labels(labels: dict[str, Any]) -> None:
    ACTION_LABELS.update(labels)


# Verbs that many apps share; an action without its own label reads "<object> · <verb>".
VERB_LABELS: dict[str, Any] = {
    "create": _("新建"),
    "update": _("修改"),
    "delete": _("删除"),
    "import": _("导入"),
    "export": _("导出"),
    "admin_add": _("后台新增"),
    "admin_change": _("后台修改"),
    "admin_delete": _("后台删除"),
    "assign": _("指派"),
    "close": _("关闭"),
    "set": _("设置"),
}


def action_label(action: str) -> Any:
    """A person's words for an audit action: the app's registered label, else a readable form
    built from the object's verbose name and the verb (never the raw "org.user.login")."""
    label = ACTION_LABELS.get(action)
    if label is not None:
        return label
    from django.apps import apps
    from django.utils.text import format_lazy

    parts = action.split(".")
    if len(parts) < 3:
        return action.replace("_", " ")
    app_label, model_name, verb = parts[0], parts[1], ".".join(parts[2:])
    try:
        noun: Any = apps.get_model(app_label, model_name)._meta.verbose_name
    except LookupError:
        try:
            noun = apps.get_app_config(app_label).verbose_name
        except LookupError:
            noun = model_name.replace("_", " ")
    return format_lazy("{} · {}", noun, VERB_LABELS.get(verb, verb.replace("_", " ")))


@register.filter
def action_text(action: str) -> Any:
    return action_label(action)


@register.inclusion_tag("core/components/map.html")
def map_component(
    map_id: str,
    layers: list[dict[str, Any]],
    small: bool = False,
    focus: Any = None,
    zoom: int = 14,
    exact: bool = False,
) -> dict[str, Any]:
    """A Leaflet map (core/map.js). `focus`: an object with `lat`/`lon` (a case, an incident) or a
    (lat, lon) pair the map opens centred on, at `zoom`; `exact`: load the exact boundaries at once
    (place pickers, whose answer must match the server's look-up)."""
    options: dict[str, Any] = {"layers": layers or []}
    point = _focus_point(focus)
    if point is not None:
        options["focus"] = {"lat": point[0], "lon": point[1], "zoom": zoom}
    if exact:
        options["exact"] = True
    return {"map_id": map_id, "options_id": f"{map_id}-options", "options": options, "small": small}


def _focus_point(focus: Any) -> tuple[float, float] | None:
    if focus is None or focus == "":
        return None
    if isinstance(focus, list | tuple) and len(focus) == 2:
        lat, lon = focus
    else:
        lat, lon = getattr(focus, "lat", None), getattr(focus, "lon", None)
    try:
        return (float(lat), float(lon)) if lat is not None and lon is not None else None
    except (TypeError, ValueError):
        return None


@register.inclusion_tag("core/components/place_picker.html")
def place_picker(map_id: str, lat_field: Any, lon_field: Any, division_field: Any = None) -> dict[str, Any]:
    """A map to click a place on, tied to a form's hidden lat/lon fields and (optionally) its
    searchable division picker; the chosen place is written back in words (core/map.js placePicker)."""
    return {
        "map_id": map_id,
        "lat": lat_field,
        "lon": lon_field,
        "division": division_field,
        "config_id": f"{map_id}-picker",
        "config": {
            "lat": lat_field.auto_id,
            "lon": lon_field.auto_id,
            "division": division_field.auto_id if division_field is not None else None,
            "words": f"{map_id}-words",
            "texts": {
                "none": str(_("尚未选择位置")),
                "noPoint": str(_("(未在地图上标点)")),
                "outside": str(_("该位置不在本市范围内,请重新选择")),
                "noGeo": str(_("无法获取位置,请在地图上点选或在列表中选择")),
            },
        },
    }


@register.inclusion_tag("core/components/chart.html")
def chart_component(chart_id: str, option: dict[str, Any]) -> dict[str, Any]:
    return {"chart_id": chart_id, "option_id": f"{chart_id}-option", "option": option}


@register.inclusion_tag("core/components/timeline.html")
def timeline(obj: Any, events: Any = None) -> dict[str, Any]:
    """The audit history of `obj` (or the given events), oldest first."""
    if events is None:
        events = list(AuditEvent.objects.for_object(obj).order_by("at", "id"))
    for e in events:
        e.label = action_label(e.action)
    return {"events": events}


@register.simple_tag
def pill(choices_cls: Any, value: str, label: str = "") -> str:
    """A coloured pill for a choice value: {% pill State obj.state obj.get_state_display %}."""
    return format_html('<span class="pill {}">{}</span>', colour_of(choices_cls, value), label or value)


@register.filter
def colour_pill(label: str, colour: str) -> str:
    return format_html('<span class="pill {}">{}</span>', colour or "grey", label)


@register.simple_tag(takes_context=True)
def can(context: Any, name: str, obj: Any = None) -> bool:
    """{% can "hazards.assign" case as may_assign %}: asks the app's permissions.can_assign, the same
    function the action asks, so a button is offered exactly when pressing it is allowed."""
    from pingan.core.permissions import may

    request = context.get("request")
    user = getattr(request, "user", None) if request is not None else context.get("user")
    return may(user, name, obj)
