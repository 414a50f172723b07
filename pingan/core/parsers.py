"""The API's JSON parser with a bound on nesting.

A body nested thousands of levels deep made Python's JSON decoder raise RecursionError (a server
error); a body nested a few hundred levels deep parsed, then made recursive code downstream (the
serializers, the audit snapshot) overflow. Every request body the API accepts is shallow: refuse
anything deeper than MAX_DEPTH with a 400 naming the problem."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def depth_exceeds(value: Any, limit: int) -> bool:
    """True when `value` nests lists/dicts deeper than `limit` (iterative: no recursion of our own)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class DepthLimitedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(self._message()) from exc
        except (ValueError, json.JSONDecodeError) as exc:  # e.g. an integer of more than 4300 digits
            raise ParseError(str(exc)[:200]) from exc
        if depth_exceeds(data, getattr(settings, "API_JSON_MAX_DEPTH", MAX_DEPTH)):
            raise ParseError(self._message())
        return data

    @staticmethod
    def _message() -> str:
        from django.utils.translation import gettext as _

        return _("JSON 嵌套层级过深(最多 %(n)d 层)") % {
            "n": getattr(settings, "API_JSON_MAX_DEPTH", MAX_DEPTH)
        }
