"""Who gets which part of the field app — offered means allowed: each entry is the permission its sync
endpoint asks, and each asks the domain app's own rule where there is one.

- the inspection record on site: inspectors (only the drawn ones of an inspection may record it,
  which `inspections.record` decides per inspection when the record is synced);
- the hazard report from the grid: grid workers (the other people report through the console);
- risk checks: whoever `risks.record_check` allows at all (per task when synced).
"""

from __future__ import annotations

from typing import Any

from pingan.core.permissions import has_role, may, signed_in
from pingan.org.choices import Role


def can_inspect(user: Any, obj: Any = None) -> bool:
    return signed_in(user) and has_role(user, Role.INSPECTOR)


def can_report_hazard(user: Any, obj: Any = None) -> bool:
    return signed_in(user) and has_role(user, Role.GRID_WORKER)


def can_check(user: Any, obj: Any = None) -> bool:
    return signed_in(user) and may(user, "risks.record_check")


def can_use(user: Any, obj: Any = None) -> bool:
    """The app itself (its page, manifest and pre-download): anyone with at least one of the three."""
    return can_inspect(user) or can_report_hazard(user) or can_check(user)
