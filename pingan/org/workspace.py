"""org's panel in the enterprise workspace: the enterprise's own sites (places of work)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .models import Site


def panels(user: Any) -> list[dict[str, Any]]:
    sites = list(
        Site.objects.visible_to(user)
        .select_related("division", "supervising_department")
        .defer("division__geometry")
        .order_by("name")[:20]
    )
    items = [
        {
            "label": s.name + (f" · {s.address}" if s.address else ""),
            "url": None,
            "pill": (str(s.supervising_department), "blue") if s.supervising_department else None,
            "when": None,
        }
        for s in sites
    ]
    return [{"title": _("场所"), "count": Site.objects.visible_to(user).count(), "url": None, "items": items}]
