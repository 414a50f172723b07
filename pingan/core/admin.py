"""Admin for the platform core: the audit log (read only), deadlines, calendar overrides, links.

`AuditedAdmin` is the base for every ModelAdmin that changes domain rows: a change made in the admin
writes an audit event like any other change (action "<app>.<model>.admin_add/admin_change/admin_delete",
with the changed fields before and after).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import audit
from .context import origin
from .models import AuditEvent, CalendarOverride, Deadline, Link


def _values(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    out = {}
    for name in fields:
        if name == "password":
            continue  # never a password hash in the audit log
        try:
            field = obj._meta.get_field(name)
        except Exception:  # noqa: BLE001 - a form field that is not a model field
            continue
        if field.many_to_many:
            out[name] = sorted(obj.pk and getattr(obj, name).values_list("pk", flat=True) or [])
        elif field.concrete:
            out[name] = audit.jsonable(getattr(obj, field.attname))
    return out


class AuditedAdmin(admin.ModelAdmin):
    """Every add, change and delete through the admin writes an audit event."""

    def _action(self, verb: str) -> str:
        return f"{self.model._meta.app_label}.{self.model._meta.model_name}.admin_{verb}"

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        fields = list(getattr(form, "changed_data", []) or [])
        before = None
        if change and obj.pk:
            old = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = _values(old, fields) if old is not None else None
        super().save_model(request, obj, form, change)
        request._pingan_audit = (obj, change, before, fields)  # type: ignore[attr-defined]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        obj, change, before, fields = request._pingan_audit  # type: ignore[attr-defined]
        with origin("web", ip=request.META.get("REMOTE_ADDR")):
            audit.record(self._action("change" if change else "add"), obj, actor=request.user,
                         before=before, after=_values(obj, fields), note="admin")

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        with origin("web", ip=request.META.get("REMOTE_ADDR")):
            audit.record(self._action("delete"), obj, actor=request.user,
                         before={"repr": str(obj)}, note="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


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
    list_display = ["title", "kind", "due_at", "department", "assignee", "met_at", "cancelled_at", "escalation_level"]
    list_filter = ["kind", ("met_at", admin.EmptyFieldListFilter), ("cancelled_at", admin.EmptyFieldListFilter)]
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


admin.site.site_header = _("平安清远 · 管理后台")
admin.site.site_title = _("平安清远")
admin.site.index_title = _("系统管理")
