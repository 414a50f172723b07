from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from pingan.core.admin import AuditedAdmin

from .actions import do_unlock
from .models import Department, Enterprise, Site, User


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ["name", "code", "sector", "kind", "division", "parent", "phone", "is_active"]
    list_filter = ["sector", "kind", "is_active"]
    search_fields = ["name", "short_name", "code"]
    autocomplete_fields = ["division", "parent"]
    list_select_related = ["division", "parent"]


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    autocomplete_fields = ["division", "supervising_department"]


@admin.register(Enterprise)
class EnterpriseAdmin(AuditedAdmin):
    list_display = [
        "name",
        "uscc",
        "industry",
        "scale",
        "division",
        "key_supervision",
        "is_synthetic",
        "is_active",
    ]
    list_filter = ["industry", "scale", "key_supervision", "is_synthetic", "is_active"]
    search_fields = ["name", "uscc", "address", "principal", "legal_representative"]
    autocomplete_fields = ["division", "supervising_departments"]
    list_select_related = ["division"]
    inlines = [SiteInline]


@admin.register(Site)
class SiteAdmin(AuditedAdmin):
    list_display = ["name", "enterprise", "division", "supervising_department"]
    search_fields = ["name", "enterprise__name", "address"]
    autocomplete_fields = ["enterprise", "division", "supervising_department"]
    list_select_related = ["enterprise", "division", "supervising_department"]


class LockedFilter(admin.SimpleListFilter):
    title = _("锁定")
    parameter_name = "locked"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("已锁定")), ("no", _("未锁定"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        # The lock-outs are django-axes' attempts (per username and address): an account is locked
        # when one of its pairs reached the failure limit within the cool-off time.
        from axes.models import AccessAttempt

        locked = AccessAttempt.objects.filter(
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gt=timezone.now() - settings.AXES_COOLOFF_TIME,
        ).values("username")
        if self.value() == "yes":
            return queryset.filter(username__in=locked)
        if self.value() == "no":
            return queryset.exclude(username__in=locked)
        return queryset


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    list_display = [
        "username",
        "display_name",
        "role",
        "division",
        "department",
        "enterprise",
        "is_active",
    ]
    list_filter = ["role", "is_active", "is_superuser", LockedFilter]
    search_fields = ["username", "display_name", "phone", "email"]
    autocomplete_fields = ["division", "department", "enterprise"]
    list_select_related = ["division", "department", "enterprise"]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["unlock"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("display_name", "phone", "email")}),
        (_("角色与范围"), {"fields": ("role", "division", "department", "enterprise")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        (_("角色与范围"), {"fields": ("display_name", "role", "division", "department", "enterprise")}),
    )

    @admin.action(description=_("解除登录锁定"))
    def unlock(self, request: HttpRequest, queryset: Any) -> None:
        count = 0
        for user in queryset:  # the lock-outs are django-axes' attempts; do_unlock lifts them all
            if do_unlock(request.user, user):
                count += 1
        self.message_user(
            request,
            ngettext("已解锁 %(n)d 个账号。", "已解锁 %(n)d 个账号。", count) % {"n": count},
            messages.SUCCESS,
        )
