"""What modules contribute to the command centre.

An app's AppConfig may name two callables (dotted paths), both given the viewing user and both
expected to stay within `visible_to(user)`:

    dashboard_kpis = "pingan.hazards.dashboard.kpis"      # → [{"label", "value", "colour", "url"}]
    dashboard_layers = "pingan.hazards.dashboard.layers"  # → [map layer dicts, see core/map.js]

A module that is absent or fails contributes nothing rather than taking the page down.
"""

from __future__ import annotations

import logging
from typing import Any

from django.apps import apps
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


def _collect(attr: str, user: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for config in apps.get_app_configs():
        path = getattr(config, attr, None)
        if not path:
            continue
        try:
            out.extend(import_string(path)(user))
        except Exception:  # noqa: BLE001 - one module's failure must not blank the command centre
            log.exception("dashboard contribution %s failed", path)
    return out


def kpis(user: Any) -> list[dict[str, Any]]:
    return _collect("dashboard_kpis", user)


def layers(user: Any) -> list[dict[str, Any]]:
    return _collect("dashboard_layers", user)
