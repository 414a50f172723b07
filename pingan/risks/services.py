"""What other apps may use of risks: the checks an enterprise completed (culture's incentive points)."""

from __future__ import annotations

__all__ = ["checks_done_by_enterprise"]


def checks_done_by_enterprise(enterprise_id: int, *, year: int | None = None) -> int:
    """Checks of the enterprise's control measures done and recorded on time (隐患排查 by the
    enterprise's own posts); late checks do not earn points."""
    from .models import CheckRecord

    qs = CheckRecord.objects.filter(risk_object__enterprise_id=enterprise_id, on_time=True)
    if year is not None:
        qs = qs.filter(checked_at__year=year)
    return int(qs.count())
