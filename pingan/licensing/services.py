"""What other apps may use of licensing: the licence state of an enterprise (inspections show it on
their target)."""

from __future__ import annotations

from typing import Any

__all__ = ["licences_of"]


def licences_of(enterprise_id: int) -> list[dict[str, Any]]:
    """The enterprise's licences: number, kind, scope, validity and state ("expired" past validity)."""
    from .models import Licence

    out = []
    for lic in Licence.objects.filter(enterprise_id=enterprise_id).order_by("-issued_at"):
        state = "expired" if lic.state == "valid" and lic.expired else lic.state
        out.append(
            {
                "number": lic.number,
                "kind": lic.get_kind_display(),
                "scope": lic.scope,
                "valid_until": lic.valid_until,
                "state": state,
                "in_force": lic.in_force,
            }
        )
    return out
