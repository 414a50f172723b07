from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task()
def send_pending_deliveries() -> int:
    """Send what is due; filled in by the notify module (channels and retries)."""
    return 0
