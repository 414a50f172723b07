"""Logging filters."""

from __future__ import annotations

import logging


class SkipDeviceIngestAccess(logging.Filter):
    """Drop the development server's access lines for successful device ingestion.

    The simulator posts several batches a second; those lines would bury everything else (and the
    login banner `make run` prints). Failed ingestion requests are still logged.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", 500)
        return not (status < 400 and "/api/v1/ingest/" in record.getMessage())
