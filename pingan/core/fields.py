"""Numbers the API accepts: finite floats and integers a database column can hold.

DRF's FloatField takes ``"inf"``, ``"NaN"`` and ``1e999`` (which JSON decodes to infinity) and its
IntegerField any integer at all; a coordinate of infinity or a count of 10²³ then reached the
database or the geometry code and answered 500. Every DRF number field of every app — declared by
hand or made by a ModelSerializer — is held to these bounds here, once, at start-up, so that the
answer is a 400 naming the field. (Replacing the 80-odd field declarations with a subclass would
leave the next one unprotected.)
"""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# A signed 64-bit column (bigint, SQLite INTEGER) holds these.
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

_FLAG = "_pingan_bounded"


def bound_drf_number_fields() -> None:
    """Called from CoreConfig.ready(); idempotent."""
    if getattr(serializers.FloatField, _FLAG, False):
        return
    float_to_internal = serializers.FloatField.to_internal_value
    int_to_internal = serializers.IntegerField.to_internal_value

    def finite_float(self: serializers.FloatField, data: Any) -> float:
        value: float = float_to_internal(self, data)
        if not math.isfinite(value):
            raise serializers.ValidationError(_("请输入有限的数字。"), code="not_finite")
        return value

    def int64(self: serializers.IntegerField, data: Any) -> int:
        value: int = int_to_internal(self, data)
        if not INT64_MIN <= value <= INT64_MAX:
            raise serializers.ValidationError(_("数值超出范围。"), code="out_of_range")
        return value

    serializers.FloatField.to_internal_value = finite_float  # type: ignore[method-assign]
    serializers.IntegerField.to_internal_value = int64  # type: ignore[method-assign]
    setattr(serializers.FloatField, _FLAG, True)
