"""OpenAPI schema post-processing: the error answers every operation can give, declared once.

Every API error has one body, ``{"errors": [{"field", "code", "message"}]}`` (`pingan.core.api`),
and every operation can answer some of them whatever its own code does: 400 for a malformed body or
filter, 401 without credentials, 403 when the person may not, 404 for an object outside the caller's
scope (or a page past the end), 409 when a write meets a changed state, 429 past a rate limit.
drf-spectacular documents only the success answers, so a client reading the schema (and the
schemathesis run in the test suite) would meet undeclared status codes; this hook declares them for
every operation that does not declare its own.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema as _AutoSchema

ERROR_SCHEMA = "Errors"

_ERROR_COMPONENT: dict[str, Any] = {
    "type": "object",
    "description": "Every error answer of the API: one entry per problem, naming the field.",
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "nullable": True},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
                "required": ["field", "code", "message"],
            },
        }
    },
    "required": ["errors"],
}

# Status → (description, methods it applies to; None: every method).
ERROR_RESPONSES: dict[str, tuple[str, frozenset[str] | None]] = {
    "400": ("Invalid input: a malformed body, parameter or filter (each problem names its field).", None),
    "401": ("No valid credentials.", None),
    "403": ("The caller may not perform this operation.", None),
    "404": ("Not found, or outside the caller's scope (the same answer), or a page past the end.", None),
    "409": (
        "The object's state changed meanwhile; reload and try again.",
        frozenset({"post", "put", "patch", "delete"}),
    ),
    "429": ("Too many requests; retry later.", None),
}

# The rate limiter and the login lock-out answer 429 before the API's exception handler, in their own
# short shape; its body is not promised.
BODYLESS = {"429"}

METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "trace"}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular POSTPROCESSING_HOOKS entry: adds the shared error answers to each operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR_SCHEMA, _ERROR_COMPONENT)
    ref = {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, (description, methods) in ERROR_RESPONSES.items():
                if methods is not None and method not in methods:
                    continue
                answer: dict[str, Any] = {"description": description}
                if status not in BODYLESS:
                    answer["content"] = {"application/json": {"schema": ref}}
                responses.setdefault(status, answer)
    return result


class AutoSchema(_AutoSchema):
    """drf-spectacular's AutoSchema, with dotted sources through a nullable relation declared nullable.

    ``division_code = CharField(source="division.code", read_only=True)`` answers null when the
    division is empty; drf-spectacular cannot know and declares a plain string, so a client
    validating against the schema fails on a real answer. Read from the model: any nullable step of
    the path makes the field nullable.
    """

    def _get_serializer_field_meta(self, field: Any, direction: str) -> dict[str, Any]:
        meta: dict[str, Any] = super()._get_serializer_field_meta(field, direction)
        if field_may_be_null(field):
            meta["nullable"] = True
        return meta


def field_may_be_null(field: Any) -> bool:
    """True when a read-only field's dotted source passes through a nullable model field."""
    attrs = getattr(field, "source_attrs", None) or []
    if not getattr(field, "read_only", False) or len(attrs) < 2:
        return False
    model = getattr(getattr(getattr(field, "parent", None), "Meta", None), "model", None)
    for attr in attrs:
        if model is None:
            return False
        try:
            model_field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return False
        if getattr(model_field, "null", False) or (
            model_field.auto_created and not model_field.concrete  # a reverse relation may be missing
        ):
            return True
        model = getattr(model_field, "related_model", None)
    return False
