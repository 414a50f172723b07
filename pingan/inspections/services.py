"""What other apps may use of inspections: the one definition of the special-work types (GB
30871-2022) and the counts of special work filed as permits, which feed the risks module's daily
safety commitment (docs/domain/12-daily-commitment.md).

The permits are the owner of the special-work types; risks.choices.SpecialWork is this WorkType.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .choices import WorkType

__all__ = ["WorkType", "special_work_counts"]


def special_work_counts(enterprise: Any, day: dt.date) -> dict[str, int]:
    """Approved permits of the enterprise whose validity overlaps the (local) day, by work type."""
    from django.db.models import Count
    from django.utils import timezone

    from .choices import PermitState
    from .models import WorkPermit

    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tz)
    end = start + dt.timedelta(days=1)
    rows = (
        WorkPermit.objects.filter(
            enterprise=enterprise, state=PermitState.APPROVED, valid_from__lt=end, valid_until__gt=start
        )
        .values("work_type")
        .annotate(n=Count("pk"))
    )
    return {r["work_type"]: int(r["n"]) for r in rows}
