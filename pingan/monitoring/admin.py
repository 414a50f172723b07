"""Configuration in the admin: rules per type and per sensor, escalation policies, silences, devices.

Alarms change only through the actions (console and API), so they are read-only here.
"""

from django.contrib import admin

from .models import Alarm, DeadLetter, Device, EscalationPolicy, EscalationStep, Rule, Sensor, Silence


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "division",
        "enterprise",
        "department",
        "state",
        "last_seen_at",
        "dead_letter_count",
    ]
    list_filter = ["state", "is_synthetic"]
    search_fields = ["code", "name"]
    raw_id_fields = ["division", "enterprise", "site", "department"]
    readonly_fields = ["token_hint", "last_seen_at", "dead_letter_count"]


@admin.register(Sensor)
class SensorAdmin(admin.ModelAdmin):
    list_display = ["name", "device", "code", "type", "unit", "division", "is_active"]
    list_filter = ["type", "is_active"]
    search_fields = ["name", "code", "device__code"]
    raw_id_fields = ["device", "division", "enterprise", "department"]


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sensor_type", "sensor", "kind", "is_example", "enabled", "source"]
    list_filter = ["kind", "sensor_type", "is_example", "enabled"]
    raw_id_fields = ["sensor"]


class StepInline(admin.TabularInline):
    model = EscalationStep
    extra = 1
    filter_horizontal = ["people"]


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "division", "sensor_type", "min_severity", "repeat", "is_active"]
    raw_id_fields = ["department", "division"]
    inlines = [StepInline]


@admin.register(Silence)
class SilenceAdmin(admin.ModelAdmin):
    list_display = ["reason", "kind", "device", "sensor", "division", "starts_at", "ends_at"]
    raw_id_fields = ["device", "sensor", "division", "created_by"]


@admin.register(Alarm)
class AlarmAdmin(admin.ModelAdmin):
    list_display = ["title", "severity", "state", "raised_at", "cleared_at", "acked_by"]
    list_filter = ["state", "severity"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin):
    list_display = ["received_at", "channel", "device_code", "reason", "detail"]
    list_filter = ["reason", "channel"]

    def has_add_permission(self, request):
        return False
