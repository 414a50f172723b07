"""The console's navigation, declared by each app.

An app's AppConfig lists `nav_items`: NavItem(label, url name, perm="app.verb", order). The entry is
shown to exactly the people `pingan.core.permissions.may(user, perm)` allows, so navigation and the
page's own gate ask the same function. Apps that do not exist yet simply declare nothing, so adding a
module never edits the shell. `settings_items` (same shape) list an app's settings and imports on the
console's settings page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    perm: str | None = None  # a permission name ("app.verb") asked through pingan.core.permissions
    order: int = 100
    icon: str = "•"
    roles: frozenset[str] | None = None  # deprecated: use perm; kept until every app has moved


def portal_entries() -> list[dict[str, Any]]:
    """The public site's entries, declared by each app as `portal_items` (label, url name,
    description) on its AppConfig: the portal's home page and a visitor's menu."""
    entries = []
    for config in apps.get_app_configs():
        for label, url_name, description in getattr(config, "portal_items", ()):
            try:
                entries.append({"label": label, "url": reverse(url_name), "description": description})
            except NoReverseMatch:
                continue
    return entries


def nav_for(user: Any, attr: str = "nav_items") -> list[dict[str, Any]]:
    """The person's navigation, grouped by module: [{"label", "items": [{"label", "url", ...}]}].

    A visitor who is not signed in gets the public site's entries, so the phone menu (☰) opens
    onto something on every page."""
    if not getattr(user, "is_authenticated", False):
        if attr != "nav_items":
            return []
        items = [{"label": e["label"], "url": e["url"], "order": 0} for e in portal_entries()]
        return [{"label": _("公众服务"), "items": items, "order": 0}] if items else []
    groups = []
    for config in apps.get_app_configs():
        declared = getattr(config, attr, ())
        items = _items_for(user, declared)
        if items:
            # A group sits where its first entry *shown to this person* sits, so the duty desk
            # (order 2) leads a duty officer's menu without pulling every emergency entry up for all.
            groups.append(
                {"label": config.verbose_name, "items": items, "order": min(i["order"] for i in items)}
            )
    groups.sort(key=lambda g: g["order"])
    return groups


def item_allowed(user: Any, item: NavItem) -> bool:
    if item.perm is not None:
        from .permissions import may

        return may(user, item.perm)
    if item.roles is not None:
        return bool(user.is_superuser or user.role in item.roles)
    from .permissions import is_staff

    return is_staff(user)


def _items_for(user: Any, items: Any) -> list[dict[str, Any]]:
    out = []
    for item in sorted(items, key=lambda i: i.order):
        if not item_allowed(user, item):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        out.append(
            {
                "label": item.label,
                "url": url,
                "icon": item.icon,
                "url_name": item.url_name,
                "order": item.order,
            }
        )
    return out


def _reverse(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def home_for(user: Any) -> dict[str, Any]:
    """Where this person belongs: {"url", "label"} — the 403 page's way back, the brand link, and
    where a sign-in without `next` lands."""
    from .permissions import may

    if not getattr(user, "is_authenticated", False):
        return {"url": reverse("portal:home"), "label": _("首页")}
    if may(user, "org.view_workspace") and (url := _reverse("org:workspace")):
        return {"url": url, "label": _("企业工作台")}
    if may(user, "core.view_console"):
        return {"url": reverse("core:home"), "label": _("工作台")}
    if url := _reverse("hazards-public:mine"):
        return {"url": url, "label": _("我的上报")}
    return {"url": reverse("portal:home"), "label": _("首页")}


def landing_url(user: Any) -> str:
    """The first page after signing in: the duty desk for duty staff, else `home_for`."""
    from .permissions import may

    if may(user, "core.start_at_duty_desk") and (url := _reverse("emergency:console")):
        return url
    return home_for(user)["url"]
