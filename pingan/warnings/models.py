"""Early warnings in CAP 1.2 with the Chinese profile (docs/domain §8). No workflow here: see actions/."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.core.choices import colour_of
from pingan.core.querysets import NOTHING, ScopedQuerySet
from pingan.org.choices import Role

from .choices import BroadcastChannel, BroadcastStatus, Category, Colour, MsgType, Source, State


def _ancestor_paths(path: str) -> list[str]:
    """Every shorter prefix of a division path: the divisions above the user's area."""
    return [path[:i] for i in range(1, len(path))]


class WarningQuerySet(ScopedQuerySet):
    def active(self, now: Any = None) -> WarningQuerySet:
        """Published Alerts and Updates that have not expired: what the public must heed now."""
        now = now or timezone.now()
        return self.filter(
            state=State.PUBLISHED, msg_type__in=(MsgType.ALERT, MsgType.UPDATE), expires__gt=now
        )


class EarlyWarning(models.Model):
    """One CAP message (Alert, Update or Cancel). Update and Cancel point at the message they change."""

    identifier = models.CharField(
        _("标识"),
        max_length=80,
        unique=True,
        null=True,
        blank=True,
        help_text=_("发布时生成;外部导入的保留原标识"),
    )
    sender = models.CharField(_("发送者"), max_length=200, blank=True)
    msg_type = models.CharField(_("消息类型"), max_length=10, choices=MsgType.choices, default=MsgType.ALERT)
    original = models.ForeignKey(
        "self",
        verbose_name=_("原预警"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followups",
    )
    references = models.TextField(_("引用"), blank=True, help_text=_("CAP references:发送者,标识,发送时间"))
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.DRAFT, db_index=True
    )
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices, default=Source.STAFF)
    category = models.CharField(
        _("事件类别"), max_length=20, choices=Category.choices, default=Category.NATURAL
    )
    event_code = models.CharField(_("事件代码"), max_length=10)
    event = models.CharField(_("事件"), max_length=50)
    colour = models.CharField(_("预警级别"), max_length=10, choices=Colour.choices)
    urgency = models.CharField(_("紧迫程度"), max_length=12, default="Expected")
    certainty = models.CharField(_("确定程度"), max_length=12, default="Likely")
    headline = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("预警内容"))
    instruction = models.TextField(_("防御措施"), blank=True)
    onset = models.DateTimeField(_("开始时间"), null=True, blank=True)
    expires = models.DateTimeField(_("失效时间"))
    sent = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("发布区域"), on_delete=models.PROTECT, related_name="+"
    )
    sender_name = models.CharField(_("发布单位"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cap_xml = models.TextField(_("CAP 报文"), blank=True, help_text=_("发布或导入时的原文"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    objects = WarningQuerySet.as_manager()
    scope_division = "division"
    scope_enterprise = None

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "expires"])]

    def __str__(self) -> str:
        return self.headline

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        # A warning of the city reaches every district: staff see warnings of their area and above it.
        if user.role in (Role.ENTERPRISE, Role.PUBLIC) or not user.scope_path:
            return NOTHING
        path = user.scope_path
        return Q(division__path__startswith=path) | Q(division__path__in=_ancestor_paths(path))

    @property
    def colour_name(self) -> str:
        return colour_of(Colour, self.colour)

    @property
    def is_active(self) -> bool:
        return (
            self.state == State.PUBLISHED
            and self.msg_type != MsgType.CANCEL
            and self.expires > timezone.now()
        )


class WarningArea(models.Model):
    """One CAP <area>: a division (geocode GB/T 2260), and/or a polygon, and/or a circle."""

    warning = models.ForeignKey(EarlyWarning, on_delete=models.CASCADE, related_name="areas")
    area_desc = models.CharField(_("区域描述"), max_length=200)
    division = models.ForeignKey(
        "geo.Division",
        verbose_name=_("区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    geocode = models.CharField(_("区划代码"), max_length=15, blank=True)
    polygon = models.JSONField(_("多边形"), null=True, blank=True, help_text=_("[[经度, 纬度], …],首尾相同"))
    circle_lat = models.FloatField(_("圆心纬度"), null=True, blank=True)
    circle_lon = models.FloatField(_("圆心经度"), null=True, blank=True)
    circle_radius_km = models.FloatField(_("半径(公里)"), null=True, blank=True)

    class Meta:
        verbose_name = _("预警区域")
        verbose_name_plural = _("预警区域")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.area_desc


class Subscription(models.Model):
    """A person who wants to be told of warnings for a township (乡镇/街道)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="warning_subscriptions"
    )
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("乡镇/街道"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"

    class Meta:
        verbose_name = _("预警订阅")
        verbose_name_plural = _("预警订阅")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "division"], name="warnings_subscription_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.division}"

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        # Everyone sees their own subscriptions; staff also those of their area (who received what).
        own = Q(user=user.pk)
        if user.role in (Role.ENTERPRISE, Role.PUBLIC) or not user.scope_path:
            return own
        return own | Q(division__path__startswith=user.scope_path)


class Broadcast(models.Model):
    """One destination a published message was handed to: the subscribers (one row, counted), a
    department's robot (its notify delivery), an MQTT topic for screens and sirens. The 三防
    headquarters reads these to see who received what."""

    warning = models.ForeignKey(EarlyWarning, on_delete=models.CASCADE, related_name="broadcasts")
    channel = models.CharField(_("渠道"), max_length=10, choices=BroadcastChannel.choices)
    target = models.CharField(_("对象"), max_length=300)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    delivery = models.ForeignKey(
        "notify.Delivery", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipients = models.PositiveIntegerField(_("人数"), default=0)
    status = models.CharField(
        _("状态"), max_length=10, choices=BroadcastStatus.choices, default=BroadcastStatus.QUEUED
    )
    error = models.CharField(_("错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_division = "warning__division"

    class Meta:
        verbose_name = _("预警分发")
        verbose_name_plural = _("预警分发")
        ordering = ["warning_id", "id"]

    def __str__(self) -> str:
        return f"{self.warning_id} → {self.channel} {self.target}"
