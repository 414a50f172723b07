from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.core.querysets import ScopedQuerySet

from .choices import Channel, DeliveryStatus


class InboxQuerySet(ScopedQuerySet):
    def unread(self) -> InboxQuerySet:
        return self.filter(read_at=None)


class Message(models.Model):
    """One notification in one person's in-app inbox."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages")
    event = models.CharField(_("事件"), max_length=80)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    urgent = models.BooleanField(_("紧急"), default=False)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = InboxQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="inbox_unread")]
        verbose_name = _("站内信")
        verbose_name_plural = _("站内信")

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_q(cls, user: Any) -> models.Q:
        # An inbox is private to its owner, whatever the owner's role.
        return models.Q(recipient=user.pk)


class Preference(models.Model):
    """Which channels a person wants, besides the inbox that always receives everything."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_pref")
    email = models.BooleanField(_("邮件"), default=True)
    sms = models.BooleanField(_("短信(仅紧急)"), default=True)
    webhook_url = models.URLField(_("个人 Webhook 地址"), blank=True)
    webhook_kind = models.CharField(_("Webhook 格式"), max_length=10, blank=True,
                                    choices=[(Channel.WEBHOOK, "JSON"), (Channel.WECOM, _("企业微信")),
                                             (Channel.DINGTALK, _("钉钉"))])
    webhook_secret = models.CharField(_("签名密钥"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")

    def __str__(self) -> str:
        return f"{self.user}"


class Delivery(models.Model):
    """One attempt-tracked sending of a message over an outside channel."""

    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    target = models.CharField(_("目标"), max_length=300)
    payload = models.JSONField(default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now, db_index=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("投递")
        verbose_name_plural = _("投递")

    def __str__(self) -> str:
        return f"{self.channel} → {self.target} ({self.status})"
