"""The API's OPTIONS answers. Kept apart from core.schema: DRF imports the metadata class while its
own views module is still loading, so this module must not import drf_spectacular or DRF's views."""

from __future__ import annotations

from typing import Any

from rest_framework.metadata import BaseMetadata


class Metadata(BaseMetadata):
    """OPTIONS answers: the view's name and description, what it renders and parses.

    DRF's SimpleMetadata also describes the PUT and POST forms by probing permissions and calling
    `get_object()` — a server error on routes without an id in the URL
    (``/api/v1/notification-preferences/me/``). The OpenAPI schema (/api/schema/) already describes
    every operation's fields, so OPTIONS does not repeat them.
    """

    def determine_metadata(self, request: Any, view: Any) -> dict[str, Any]:
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
        }
