"""What modules contribute to the enterprise workspace (企业工作台).

An app's AppConfig may name a callable (dotted path) given the viewing enterprise user:

    workspace_panels = "pingan.hazards.workspace.panels"

returning a list of panels, each

    {"title": str, "count": int, "url": str | None,
     "items": [{"label": str, "url": str | None, "pill": (label, colour) | None, "when": datetime | None}]}

A panel must stay inside `visible_to(user)` (the user's own enterprise). An app that declares no
panels contributes nothing; one that fails is logged and left out rather than taking the page down.
"""

from __future__ import annotations

import logging
from typing import Any

from django.apps import apps
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


def panels(user: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for config in apps.get_app_configs():
        path = getattr(config, "workspace_panels", None)
        if not path:
            continue
        try:
            contributed = import_string(path)(user)
        except Exception:  # noqa: BLE001 - one module's failure must not blank the workspace
            log.exception("workspace panels %s failed", path)
            continue
        for panel in contributed or ():
            panel = {"count": 0, "url": None, "items": [], **panel}
            panel["items"] = [{"url": None, "pill": None, "when": None, **item} for item in panel["items"]]
            panel["app"] = config.label
            out.append(panel)
    return out
