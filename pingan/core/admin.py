"""Admin for the platform core: the audit log (read only), deadlines, calendar overrides, links.

Every ModelAdmin registered on `admin.site` is audited (`pingan.core.admin_site`); `AuditedAdmin` is
re-exported here for the apps that name it as their base.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .admin_site import AuditedAdmin
from .models import AuditEvent, CalendarOverride, Deadline, Link


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read only: audit events are append-only, nobody edits or removes them."""

    list_display = ["at", "actor_label", "action", "object_repr", "division_path", "channel", "ip"]
    list_filter = ["channel", "action"]
    search_fields = ["action", "object_repr", "actor_label", "object_id", "request_id"]
    date_hierarchy = "at"
    list_select_related = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Deadline)
class DeadlineAdmin(AuditedAdmin):
    list_display = [
        "title",
        "kind",
        "due_at",
        "department",
        "assignee",
        "met_at",
        "cancelled_at",
        "escalation_level",
    ]
    list_filter = [
        "kind",
        ("met_at", admin.EmptyFieldListFilter),
        ("cancelled_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["title", "kind", "object_id"]
    raw_id_fields = ["division", "department", "assignee"]
    date_hierarchy = "due_at"


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(AuditedAdmin):
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"


@admin.register(Link)
class LinkAdmin(AuditedAdmin):
    list_display = ["a_type", "a_id", "kind", "b_type", "b_id", "created_at", "created_by"]
    list_filter = ["kind", "a_type", "b_type"]
    search_fields = ["a_id", "b_id", "kind"]
    raw_id_fields = ["created_by"]


__all__ = ["AuditedAdmin"]
