"""Queueing outside deliveries for inbox messages. (The channel senders live in channels.py.)"""

from __future__ import annotations

from .models import Message


def queue_deliveries(messages: list[Message]) -> None:
    """Create Delivery rows per the recipients' preferences. Filled in by the notify module."""
    return None
