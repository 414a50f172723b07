"""The admin site: for superusers only, and every change made in it is audited.

`pingan.core.admin_apps.PinganAdminConfig` replaces ``django.contrib.admin`` in INSTALLED_APPS so
that ``admin.site`` is a `PinganAdminSite`. Its `register` gives every ModelAdmin — of every app,
including Django's and DRF's (tokens) — the `AuditedAdmin` behaviour, so no app's admin can forget
it: an add, a change and a delete through the admin write an audit event
"<app>.<model>.admin_add/admin_change/admin_delete" with the changed fields before and after (never
passwords, tokens or secrets).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import audit
from .context import origin


def _secret(name: str) -> bool:
    return name == "password" or name == "key" or "secret" in name or "token" in name


def _values(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    out = {}
    for name in fields:
        if _secret(name):
            out[name] = "***"  # that it changed is recorded, never the value
            continue
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
        pending = getattr(request, "_pingan_audit", None)
        if pending is None:
            return
        obj, change, before, fields = pending
        del request._pingan_audit  # type: ignore[attr-defined]
        changed_inlines = [fs.model._meta.model_name for fs in formsets or () if fs.has_changed()]
        after = _values(obj, fields)
        if changed_inlines:
            after["inlines"] = changed_inlines
        with origin("web", ip=request.META.get("REMOTE_ADDR")):
            audit.record(
                self._action("change" if change else "add"),
                obj,
                actor=request.user,
                before=before,
                after=after,
                note="admin",
            )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        with origin("web", ip=request.META.get("REMOTE_ADDR")):
            audit.record(
                self._action("delete"), obj, actor=request.user, before={"repr": str(obj)}, note="admin"
            )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class PinganAdminSite(admin.AdminSite):
    site_header = _("平安清远 · 管理后台")
    site_title = _("平安清远")
    index_title = _("系统管理")

    def has_permission(self, request: HttpRequest) -> bool:
        """Superusers only: every demo role works in the console (imports and settings are there)."""
        from .permissions import may

        return may(request.user, "core.use_admin")

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdmin):
            admin_class = type(
                admin_class.__name__,
                (AuditedAdmin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)
