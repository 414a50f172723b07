"""The licensing panels of the enterprise workspace (org collects them through
`LicensingConfig.workspace_panels`): the enterprise's licences and its applications."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from pingan.core.choices import colour_of
from pingan.core.permissions import may

from .choices import ApplicationState, LicenceState
from .models import Application, Licence

LATEST = 10


def panels(user: Any) -> list[dict[str, Any]]:
    if not may(user, "licensing.apply"):
        return []
    lic_labels = dict(LicenceState.choices)
    app_labels = dict(ApplicationState.choices)
    licences = Licence.objects.visible_to(user).filter(enterprise=user.enterprise_id).order_by("-issued_at")
    apps = Application.objects.visible_to(user).filter(enterprise=user.enterprise_id).order_by("-received_at")
    return [
        {
            "title": _("本单位安全许可证"),
            "count": licences.count(),
            "url": reverse("licensing:licences"),
            "items": [
                {
                    "label": _("%(number)s %(kind)s · 有效期至 %(until)s")
                    % {"number": lic.number, "kind": lic.get_kind_display(), "until": lic.valid_until or "—"},
                    "url": reverse("licensing:licences"),
                    "pill": (str(lic_labels[lic.state]), colour_of(LicenceState, lic.state)),
                    "when": lic.issued_at,
                }
                for lic in licences[:LATEST]
            ],
        },
        {
            "title": _("许可申请"),
            "count": apps.count(),
            "url": reverse("licensing:list"),
            "items": [
                {
                    "label": f"{a.number} {a.get_kind_display()}",
                    "url": reverse("licensing:detail", args=[a.pk]),
                    "pill": (str(app_labels[a.state]), colour_of(ApplicationState, a.state)),
                    "when": a.received_at,
                }
                for a in apps[:LATEST]
            ],
        },
    ]
