from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import DeliveryStatus
from .models import Delivery, Message, Preference, Robot, SmsRecord


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "event", "title", "urgent", "read_at"]
    list_filter = ["urgent", "event"]
    search_fields = ["title", "recipient__username"]
    raw_id_fields = ["recipient"]
    date_hierarchy = "created_at"


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "sms", "webhook_kind", "updated_at"]
    # The signing secret is the person's own; administrators neither see nor set it here.
    exclude = ["webhook_secret"]
    raw_id_fields = ["user"]
    search_fields = ["user__username"]


@admin.action(description=_("立即重试所选投递"))
def retry_now(modeladmin: Any, request: Any, queryset: Any) -> None:
    queryset.filter(status__in=[DeliveryStatus.FAILED, DeliveryStatus.RETRYING]).update(
        status=DeliveryStatus.RETRYING, next_attempt_at=timezone.now()
    )


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "target", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "channel"]
    search_fields = ["target", "last_error"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = [retry_now]

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(SmsRecord)
class SmsRecordAdmin(admin.ModelAdmin):
    list_display = ["created_at", "phone", "text"]
    readonly_fields = ["delivery", "phone", "text", "created_at"]
    search_fields = ["phone"]

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(Robot)
class RobotAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    raw_id_fields = ["department"]
    # The signing secret stays out of lists; an administrator sets it when adding the robot.
    search_fields = ["name", "department__name"]
