"""The API's orjson renderer writes what DRF's JSONRenderer wrote (decision 0020)."""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from decimal import Decimal

import numpy as np
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFRenderer

from pingan.core.renderers import JSONRenderer

UTC = dt.UTC
SAMPLE = {
    "at": dt.datetime(2026, 12, 1, 4, 46, 0, 123000, tzinfo=UTC),
    "local": dt.datetime(2026, 12, 1, 12, 46, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    "day": dt.date(2026, 12, 1),
    "time": dt.time(9, 30),
    "money": Decimal("12.50"),
    "label": gettext_lazy("状态"),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "nested": [{"n": 1, "f": 0.1, "t": None, "b": True}, ("tuple", 2)],
    "text": "清远 \u2028 line\u2029 end",
    "np": np.float64(1.5),
    3: "an int key",
}


def test_same_text_as_drf() -> None:
    ours = JSONRenderer().render(SAMPLE)
    drf = DRFRenderer().render(SAMPLE)
    assert json.loads(ours) == json.loads(drf)
    # the timestamps are DRF's strings, "Z" for UTC
    assert b'"at":"2026-12-01T04:46:00.123000Z"' in ours
    assert b'"local":"2026-12-01T12:46:00+08:00"' in ours
    # a JavaScript subset, as DRF's: the two separators escaped
    assert b"\\u2028" in ours and b"\\u2029" in ours and "\u2028".encode() not in ours


def test_nan_is_null_not_an_error() -> None:
    assert json.loads(JSONRenderer().render({"v": math.nan, "w": math.inf})) == {"v": None, "w": None}


def test_what_orjson_cannot_write_is_drf_s() -> None:
    deep: list = []
    cur = deep
    for _ in range(300):
        cur.append([])
        cur = cur[0]
    data = {"big": 2**70, "deep": deep}
    assert JSONRenderer().render(data) == DRFRenderer().render(data)


def test_indent_and_none() -> None:
    r = JSONRenderer()
    assert r.render(None) == b""
    pretty = r.render({"a": [1]}, "application/json; indent=2")
    assert pretty == DRFRenderer().render({"a": [1]}, "application/json; indent=2")
    assert b"\n" in pretty


def test_the_api_uses_it() -> None:
    from rest_framework.settings import api_settings

    assert api_settings.DEFAULT_RENDERER_CLASSES == [JSONRenderer]
