"""Configuration of duty posts, rotations and reporting bodies (audited). Incidents and reports
change only through the actions layer, so they are read-only here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from pingan.core.admin import AuditedAdmin

from .models import DutyPost, Incident, Report, ReportingBody, RotationTemplate, Shift


@admin.register(DutyPost)
class DutyPostAdmin(AuditedAdmin):
    list_display = ["name", "department", "division", "level", "phone", "min_officers", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["name", "department__name"]
    autocomplete_fields = ["department", "division"]
    list_select_related = ["department", "division"]


@admin.register(RotationTemplate)
class RotationTemplateAdmin(AuditedAdmin):
    list_display = ["name", "post", "starts_on", "start_time", "shift_hours", "is_active"]
    list_select_related = ["post"]


@admin.register(Shift)
class ShiftAdmin(AuditedAdmin):
    list_display = ["post", "starts_at", "ends_at", "leader"]
    list_filter = ["post"]
    list_select_related = ["post", "leader"]
    filter_horizontal = ["officers"]
    raw_id_fields = ["leader"]


@admin.register(ReportingBody)
class ReportingBodyAdmin(AuditedAdmin):
    list_display = ["name", "level", "division", "department", "parent", "contact"]
    list_filter = ["level"]
    search_fields = ["name"]
    list_select_related = ["division", "department", "parent"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "grade", "division", "occurred_at", "state", "is_synthetic"]
    list_filter = ["grade", "state", "category", "is_synthetic"]
    search_fields = ["number", "title"]
    list_select_related = ["division"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["incident", "kind", "sender", "receiver", "due_at", "state", "sent_at", "is_late"]
    list_filter = ["state", "is_late", "kind", "receiver_level"]
    list_select_related = ["incident", "sender", "receiver"]
