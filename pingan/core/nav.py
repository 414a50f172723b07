"""The console's navigation, declared by each app.

An app's AppConfig lists `nav_items`: (label, url name, roles or None for every staff role, order).
Apps that do not exist yet simply declare nothing, so adding a module never edits the shell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    perm: str | None = None  # a permission name ("app.verb") asked through pingan.core.permissions
    order: int = 100
    icon: str = "•"
    roles: frozenset[str] | None = None  # deprecated: use perm; kept until every app has moved


def nav_for(user: Any) -> list[dict[str, Any]]:
    """The person's navigation, grouped by module: [{"label", "items": [{"label", "url", ...}]}]."""
    if not getattr(user, "is_authenticated", False):
        return []
    groups = []
    for config in apps.get_app_configs():
        items = _items_for(user, getattr(config, "nav_items", ()))
        if items:
            groups.append({"label": config.verbose_name, "items": items,
                           "order": min(i.order for i in getattr(config, "nav_items", ()))})
    groups.sort(key=lambda g: g["order"])
    return groups


def _items_for(user: Any, items: Any) -> list[dict[str, Any]]:
    out = []
    for item in sorted(items, key=lambda i: i.order):
        if item.perm is not None:
            from .permissions import may

            if not may(user, item.perm):
                continue
        elif item.roles is not None:
            if user.role not in item.roles and not user.is_superuser:
                continue
        elif not user.is_staff_role:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        out.append({"label": item.label, "url": url, "icon": item.icon, "url_name": item.url_name})
    return out
