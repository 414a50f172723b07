"""The API's JSON renderer: DRF's output, written by orjson (decision 0020).

DRF's JSONRenderer runs the standard library's encoder with a Python `default` hook; on a page of 50
hazard cases or a map of a few hundred points that was a tenth of the request's CPU. orjson writes
the same text several times faster. What stays DRF's:

- datetimes, dates and times go through DRF's encoder (`OPT_PASSTHROUGH_DATETIME`), so an instant in
  UTC still ends in "Z" and every timestamp reads as before;
- every type orjson does not know (Decimal, lazy translations, UUID, QuerySets, numpy scalars…) goes
  through DRF's encoder too;
- U+2028 and U+2029 are escaped, as DRF does, so the text stays a JavaScript subset;
- an indented response (`Accept: application/json; indent=4`) is DRF's own.

One difference, on purpose: a NaN or infinite float is written as null, where DRF's strict mode
raised (a 500) — a sensor's bad value must not take a page down.
"""

from __future__ import annotations

from typing import Any

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_LS, _PS = "\u2028".encode(), "\u2029".encode()


_default = JSONEncoder().default  # DRF's conversions (the encoder keeps no state between calls)


def dumps(data: Any) -> bytes:
    """`data` as the API writes it (compact UTF-8 JSON, DRF's conventions)."""
    out = orjson.dumps(data, default=_default, option=_OPTIONS)
    if _LS in out or _PS in out:
        out = out.replace(_LS, b"\\u2028").replace(_PS, b"\\u2029")
    return out


class JSONRenderer(renderers.JSONRenderer):
    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: dict | None = None
    ) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            return dumps(data)
        except orjson.JSONEncodeError:
            # What orjson does not write and the standard library does: an integer past 64 bits, a
            # structure nested deeper than 254 levels (a device's stored payload can be either).
            return super().render(data, accepted_media_type, renderer_context)
