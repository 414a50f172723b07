"""Where a change comes from (address, request id, channel), carried without passing it around.

The middleware sets it for web and API requests; tasks, the MQTT consumer and management commands
set it with `source(...)`. The audit log reads it.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    channel: str = "system"  # web, api, task, device, command, system
    ip: str | None = None
    request_id: str = ""


# Origin is a frozen dataclass, so the shared default cannot be mutated.
_origin: contextvars.ContextVar[Origin] = contextvars.ContextVar("pingan_origin", default=Origin())  # noqa: B039


def current_origin() -> Origin:
    return _origin.get()


@contextmanager
def origin(channel: str, ip: str | None = None, request_id: str | None = None) -> Iterator[Origin]:
    value = Origin(channel=channel, ip=ip, request_id=request_id or uuid.uuid4().hex[:16])
    token = _origin.set(value)
    try:
        yield value
    finally:
        _origin.reset(token)
