"""Devices, sensors, readings, rules, alarms, escalation, silences and the dead-letter table.

Readings are keyed by (sensor, ts) — a composite primary key — so a replay or a redelivery is a
no-op (INSERT … ON CONFLICT DO NOTHING) and the table is ready for PostgreSQL time partitioning
(the partition key `ts` is part of the primary key). See docs in pingan/monitoring/README.md.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.core.choices import colour_of
from pingan.core.querysets import NOTHING, ScopedQuerySet, default_scope_q
from pingan.org.choices import Role

from .choices import (
    ACTIVE_STATES,
    SEVERITY_COLOURS,
    AlarmState,
    Channel,
    DeadLetterReason,
    DeviceState,
    RuleKind,
    SensorType,
    Severity,
    SilenceKind,
)


def hash_token(token: str) -> str:
    # Device tokens are 32 random bytes: a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(token.encode()).hexdigest()


def _department_scope(model: type[models.Model], user: Any, department_path: str = "department") -> Q:
    """Area scope, plus what lies beneath the person's department (its own rows and its branches')."""
    q = default_scope_q(model, user)
    if getattr(user, "department_id", None) and user.role not in (Role.ENTERPRISE, Role.PUBLIC):
        q |= Q(**{department_path: user.department_id}) | Q(
            **{f"{department_path}__parent": user.department_id}
        )
    return q


class Device(models.Model):
    """A field device (an RTU, a gas controller, a rain gauge station) that reports for its sensors."""

    code = models.CharField(_("设备编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=120)
    model_name = models.CharField(_("型号"), max_length=80, blank=True)
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    enterprise = models.ForeignKey(
        "org.Enterprise",
        verbose_name=_("监测单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="devices",
    )
    site = models.ForeignKey(
        "org.Site",
        verbose_name=_("场所/设施"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="devices",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="devices",
    )
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    state = models.CharField(
        _("状态"), max_length=12, choices=DeviceState.choices, default=DeviceState.ONLINE
    )
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    token_hint = models.CharField(_("令牌尾号"), max_length=8, blank=True, editable=False)
    last_seen_at = models.DateTimeField(_("最后上报"), null=True, blank=True)
    dead_letter_count = models.PositiveIntegerField(_("异常报文数"), default=0)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    # Moved by every save (not by the pipeline's bulk updates of last_seen_at/state): the ingestion
    # registry re-reads devices and sensors when the latest of these changes (ingest.Registry).
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"
    scope_enterprise = "enterprise"

    class Meta:
        ordering = ["code"]
        verbose_name = _("监测设备")
        verbose_name_plural = _("监测设备")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return _department_scope(cls, user)

    def issue_token(self) -> str:
        """A new device token; only its hash is kept. Returns the token (shown once)."""
        token = secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        self.token_hint = token[-4:]
        return token


class Sensor(models.Model):
    device = models.ForeignKey(
        Device, verbose_name=_("设备"), on_delete=models.CASCADE, related_name="sensors"
    )
    code = models.CharField(_("传感器编码"), max_length=64, help_text=_("设备内唯一,报文中以此标识"))
    name = models.CharField(_("名称"), max_length=120)
    type = models.CharField(_("类型"), max_length=20, choices=SensorType.choices)
    unit = models.CharField(_("单位"), max_length=12, blank=True)
    min_value = models.FloatField(_("可能最小值"), null=True, blank=True)
    max_value = models.FloatField(_("可能最大值"), null=True, blank=True)
    # Denormalised from the device so scoping and maps need no join.
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    enterprise = models.ForeignKey(
        "org.Enterprise",
        verbose_name=_("监测单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sensors",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sensors",
    )
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    location = models.CharField(_("安装位置"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"
    scope_enterprise = "enterprise"

    class Meta:
        ordering = ["device__code", "code"]
        constraints = [models.UniqueConstraint(fields=["device", "code"], name="sensor_code_per_device")]
        indexes = [models.Index(fields=["type"], name="sensor_type")]
        verbose_name = _("传感器")
        verbose_name_plural = _("传感器")

    def __str__(self) -> str:
        return f"{self.name} ({self.device.code}/{self.code})" if self.device_id else self.name

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return _department_scope(cls, user)


class Reading(models.Model):
    """One measurement (or an event, value 1). Primary key (sensor, ts): a replay is a no-op and the
    table can be range-partitioned by ts on PostgreSQL."""

    pk = models.CompositePrimaryKey("sensor", "ts")
    sensor = models.ForeignKey(Sensor, on_delete=models.CASCADE, related_name="readings", db_constraint=False)
    ts = models.DateTimeField(_("时间"))
    value = models.FloatField(_("数值"))

    class Meta:
        verbose_name = _("读数")
        verbose_name_plural = _("读数")
        indexes = [models.Index(fields=["ts"], name="reading_ts")]

    def __str__(self) -> str:
        return f"{self.sensor_id}@{self.ts:%Y-%m-%d %H:%M:%S}={self.value}"


class ReadingAggregate(models.Model):
    """Downsampled readings for charts (count, min, max, sum per bucket), kept longer than raw."""

    sensor = models.ForeignKey(Sensor, on_delete=models.CASCADE, related_name="aggregates")
    period = models.PositiveIntegerField(help_text="bucket length in seconds (300, 3600)")
    bucket = models.DateTimeField()
    n = models.PositiveIntegerField()
    vmin = models.FloatField()
    vmax = models.FloatField()
    vsum = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sensor", "period", "bucket"], name="aggregate_bucket")
        ]
        ordering = ["sensor", "period", "bucket"]

    def __str__(self) -> str:
        return f"{self.sensor_id} {self.period}s {self.bucket:%Y-%m-%d %H:%M}"

    @property
    def avg(self) -> float:
        return self.vsum / self.n if self.n else 0.0


class SensorState(models.Model):
    """The evaluator's state of a sensor (see rules.py), written with every batch so that a restart
    resumes half-done durations; `version` lets several consumers notice another's newer state."""

    sensor = models.OneToOneField(Sensor, on_delete=models.CASCADE, primary_key=True, related_name="live")
    data = models.JSONField(default=dict)
    version = models.PositiveBigIntegerField(default=0)
    level = models.PositiveSmallIntegerField(default=0, help_text="highest active alarm severity (0: normal)")
    last_ts = models.DateTimeField(null=True, blank=True)
    last_value = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"state of {self.sensor_id} v{self.version}"


class DeadLetter(models.Model):
    """A message or reading that could not be ingested, with the reason. Never stops the pipeline."""

    received_at = models.DateTimeField(_("接收时间"), default=timezone.now, db_index=True)
    channel = models.CharField(_("通道"), max_length=8, choices=Channel.choices)
    device = models.ForeignKey(
        Device,
        verbose_name=_("设备"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="dead_letters",
    )
    device_code = models.CharField(_("设备编码"), max_length=64, blank=True)
    reason = models.CharField(_("原因"), max_length=20, choices=DeadLetterReason.choices)
    detail = models.CharField(_("说明"), max_length=300, blank=True)
    payload = models.TextField(_("原始内容"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "device__division"
    scope_enterprise = "device__enterprise"

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("异常报文")
        verbose_name_plural = _("异常报文")

    def __str__(self) -> str:
        return f"{self.device_code} {self.reason}"


class Rule(models.Model):
    """A rule for a sensor type (the default) or for one sensor (an override of the same `code`)."""

    code = models.SlugField(_("规则编码"), max_length=40)
    name = models.CharField(_("名称"), max_length=120)
    sensor_type = models.CharField(_("传感器类型"), max_length=20, choices=SensorType.choices, blank=True)
    sensor = models.ForeignKey(
        Sensor,
        verbose_name=_("传感器(覆盖)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rules",
    )
    kind = models.CharField(_("类别"), max_length=14, choices=RuleKind.choices)
    params = models.JSONField(
        _("参数"),
        default=dict,
        blank=True,
        help_text=_(
            "levels [{severity,on,off,label}], direction, for_seconds, for_samples, "
            "nodata_minutes, hold_seconds, schedule {days,start,end}"
        ),
    )
    source = models.CharField(_("来源"), max_length=300, blank=True)
    is_example = models.BooleanField(_("示例值(待本市设定)"), default=False)
    effective_from = models.DateField(_("生效日期"), null=True, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_public = False

    class Meta:
        ordering = ["sensor_type", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "sensor_type"], condition=Q(sensor=None), name="rule_type_code"
            ),
            models.UniqueConstraint(
                fields=["code", "sensor"], condition=Q(sensor__isnull=False), name="rule_sensor_code"
            ),
        ]
        verbose_name = _("监测规则")
        verbose_name_plural = _("监测规则")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        # Type rules are shared configuration every staff member may read; overrides follow the sensor.
        from pingan.org.choices import STAFF_ROLES

        if user.role in STAFF_ROLES:
            return Q(sensor=None) | Q(sensor__division__path__startswith=user.scope_path or "-")
        return NOTHING


class EscalationPolicy(models.Model):
    """Who is told, and when, while an alarm stays unacknowledged."""

    name = models.CharField(_("名称"), max_length=120)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("适用部门"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="escalation_policies",
    )
    division = models.ForeignKey(
        "geo.Division",
        verbose_name=_("适用区划"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    sensor_type = models.CharField(_("传感器类型"), max_length=20, choices=SensorType.choices, blank=True)
    min_severity = models.PositiveSmallIntegerField(_("最低级别"), default=1)
    repeat = models.PositiveSmallIntegerField(_("最后一步重复次数"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"

    class Meta:
        ordering = ["name"]
        verbose_name = _("升级策略")
        verbose_name_plural = _("升级策略")

    def __str__(self) -> str:
        return self.name


class EscalationStep(models.Model):
    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("顺序"))
    delay_minutes = models.PositiveIntegerField(_("未确认多少分钟后"), default=0)
    notify_on_duty = models.BooleanField(_("通知责任部门值班人员"), default=False)
    roles = models.JSONField(_("通知责任部门中这些角色"), default=list, blank=True)
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("指定人员"), blank=True, related_name="+"
    )

    class Meta:
        ordering = ["policy", "order"]
        constraints = [models.UniqueConstraint(fields=["policy", "order"], name="escalation_step_order")]

    def __str__(self) -> str:
        return f"{self.policy} #{self.order} +{self.delay_minutes}min"


class AlarmQuerySet(ScopedQuerySet):
    def active(self) -> AlarmQuerySet:
        return self.filter(is_active=True)


class Alarm(models.Model):
    sensor = models.ForeignKey(
        Sensor, verbose_name=_("传感器"), on_delete=models.CASCADE, related_name="alarms"
    )
    rule = models.ForeignKey(Rule, verbose_name=_("规则"), on_delete=models.PROTECT, related_name="alarms")
    severity = models.PositiveSmallIntegerField(_("级别"), help_text=_("最高达到的级别,上升时原地提高"))
    level = models.PositiveSmallIntegerField(_("当前级别"), default=0)
    state = models.CharField(
        _("状态"), max_length=14, choices=AlarmState.choices, default=AlarmState.ACTIVE_UNACK
    )
    # Kept in step with `state` by the actions; the partial unique constraint below needs a column.
    is_active = models.BooleanField(default=True, editable=False)
    title = models.CharField(_("内容"), max_length=200)
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    enterprise = models.ForeignKey(
        "org.Enterprise",
        verbose_name=_("监测单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    raised_at = models.DateTimeField(_("报警时间"), db_index=True)
    trigger_value = models.FloatField(_("触发值"), null=True, blank=True)
    last_value = models.FloatField(_("最新值"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    cleared_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    acked_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    silenced = models.BooleanField(_("静默"), default=False)
    policy = models.ForeignKey(
        EscalationPolicy,
        verbose_name=_("升级策略"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    escalation_step = models.PositiveSmallIntegerField(_("已通知到第几步"), default=0)
    next_escalation_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = AlarmQuerySet.as_manager()
    scope_division = "division"
    scope_enterprise = "enterprise"

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            # One active alarm per sensor and rule: a rising level raises this one's severity.
            models.UniqueConstraint(
                fields=["sensor", "rule"], condition=Q(is_active=True), name="one_active_alarm"
            ),
            models.CheckConstraint(condition=Q(severity__gte=1, severity__lte=4), name="alarm_severity_1_4"),
        ]
        indexes = [models.Index(fields=["is_active", "state"], name="alarm_active_state")]
        verbose_name = _("报警")
        verbose_name_plural = _("报警")

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return _department_scope(cls, user)

    @property
    def acknowledged(self) -> bool:
        return self.state in (AlarmState.ACTIVE_ACK, AlarmState.CLEARED_ACK)

    @property
    def state_colour(self) -> str:
        return colour_of(AlarmState, self.state)

    @property
    def severity_colour(self) -> str:
        return SEVERITY_COLOURS.get(self.severity, "grey")

    def get_severity_display(self) -> str:
        """The severity by its colour name (红色/Red …): never a bare number on a page."""
        return str(dict(Severity.choices).get(str(self.severity), self.severity))

    def set_state(self, state: str) -> None:
        self.state = state
        self.is_active = state in ACTIVE_STATES


class AlarmComment(models.Model):
    alarm = models.ForeignKey(Alarm, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("备注"))
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class Silence(models.Model):
    """A silence (alarms recorded, nobody notified) or a maintenance window (no alarms), with an expiry."""

    kind = models.CharField(
        _("类别"), max_length=12, choices=SilenceKind.choices, default=SilenceKind.SILENCE
    )
    device = models.ForeignKey(
        Device,
        verbose_name=_("设备"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="silences",
    )
    sensor = models.ForeignKey(
        Sensor,
        verbose_name=_("传感器"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="silences",
    )
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("开始"), default=timezone.now)
    ends_at = models.DateTimeField(_("到期"))
    reason = models.CharField(_("原因"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="silence_ends_after")
        ]
        verbose_name = _("静默/维护窗口")
        verbose_name_plural = _("静默/维护窗口")

    def __str__(self) -> str:
        return self.reason


from .triage_models import AlarmTriage, MaintenanceTask, RuleTriage  # noqa: E402, F401  (triage, its own module)
