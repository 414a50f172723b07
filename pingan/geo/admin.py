from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from pingan.core.admin import AuditedAdmin
from pingan.core.context import origin

from .importer import import_divisions
from .models import Division


class DivisionImportForm(forms.Form):
    file = forms.FileField(
        label=_("GeoJSON 文件"), help_text=_("FeatureCollection,WGS-84;每个要素需有 code 和 name")
    )
    dry_run = forms.BooleanField(label=_("仅检查,不写入"), required=False)


@admin.register(Division)
class DivisionAdmin(AuditedAdmin):
    list_display = ["code", "name", "level", "kind", "parent", "is_formal", "is_synthetic", "population"]
    list_filter = ["level", "is_formal", "is_synthetic"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    readonly_fields = ["path", "updated_at"]
    change_list_template = "admin/geo/division/change_list.html"

    def get_urls(self) -> list[Any]:
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="geo_division_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a GeoJSON file; all or nothing, with a report naming every bad feature."""
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        report = None
        form = DivisionImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            with origin("web", ip=request.META.get("REMOTE_ADDR")):
                report = import_divisions(
                    upload.read(),
                    dry_run=form.cleaned_data["dry_run"],
                    actor=request.user,
                    source=upload.name,
                )
            (messages.success if report.ok else messages.error)(request, report.summary())
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "report": report,
            "title": _("导入行政区划(GeoJSON)"),
        }
        return render(request, "admin/geo/division/import.html", context)
