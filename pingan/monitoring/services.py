"""What other apps may use of monitoring.

- `hydromet`: the Django signal sent after commit when a rainstorm signal is computed from rainfall
  or a water level crosses a threshold level (see signals.py for its arguments). Connect a receiver
  in your AppConfig.ready(), behind ``apps.is_installed("pingan.monitoring")``.
"""

from __future__ import annotations

from .signals import hydromet

__all__ = ["hydromet"]
