from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.core.querysets import ScopedQuerySet

from . import conf
from .choices import WEBHOOK_KINDS, Channel, DeliveryStatus

# Messages for the codes of rules.preference_problems (kept here so rules.py stays pure).
PROBLEM_MESSAGES = {
    "kind_required": _("填写了 Webhook 地址时必须选择格式"),
    "url_required": _("选择了 Webhook 格式时必须填写地址"),
    "scheme": _("Webhook 地址必须以 http:// 或 https:// 开头"),
    "host_forbidden": _("Webhook 地址不能指向本机、内网、链路本地或云元数据地址"),
    "secret_required": _("通用 JSON Webhook 必须设置签名密钥(至少 16 个字符)"),
    "secret_short": _("签名密钥至少 16 个字符"),
    "secret_unused": _("企业微信群机器人不使用签名密钥,请留空"),
    "dingtalk_secret": _("钉钉加签密钥以 SEC 开头,请从机器人安全设置中复制"),
}


class InboxQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any) -> InboxQuerySet:
        """An inbox is private to its owner, whatever the owner's role: not even a city
        administrator (who sees every scoped row elsewhere) reads another person's messages."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user.pk)

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

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_pref"
    )
    email = models.BooleanField(_("邮件"), default=True)
    sms = models.BooleanField(_("短信(仅紧急)"), default=True)
    webhook_url = models.URLField(_("个人 Webhook 地址"), blank=True)
    webhook_kind = models.CharField(_("Webhook 格式"), max_length=10, blank=True, choices=WEBHOOK_KINDS)
    webhook_secret = models.CharField(_("签名密钥"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")

    def __str__(self) -> str:
        return f"{self.user}"

    def clean(self) -> None:
        from .rules import preference_problems

        problems = preference_problems(
            webhook_url=self.webhook_url,
            webhook_kind=self.webhook_kind,
            webhook_secret=self.webhook_secret,
            allow_loopback=bool(conf.get("NOTIFY_WEBHOOK_ALLOW_LOOPBACK")),
        )
        if problems:
            raise ValidationError(
                {
                    field: ValidationError(PROBLEM_MESSAGES[code], code=code)
                    for field, code in problems.items()
                }
            )


class Delivery(models.Model):
    """One attempt-tracked sending of a message over an outside channel."""

    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    target = models.CharField(_("目标"), max_length=300)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now, db_index=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    response = models.CharField(_("对方回复"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The reconciler's question: what is due now?
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]
        verbose_name = _("投递")
        verbose_name_plural = _("投递")

    def __str__(self) -> str:
        return f"{self.channel} → {self.target} ({self.status})"


class SmsRecord(models.Model):
    """A text message handed to the recording SMS provider (the default): what would have been sent.

    A deployment with a real SMS gateway sets SMS_PROVIDER; this table then stays empty."""

    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="sms_records"
    )
    phone = models.CharField(_("手机号"), max_length=20)
    text = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("短信记录")
        verbose_name_plural = _("短信记录")

    def __str__(self) -> str:
        return f"{self.phone}: {self.text[:30]}"


class Robot(models.Model):
    """A department's group robot (WeCom or DingTalk): broadcasts addressed to a department, not to a
    person (early warnings). Deliveries to it are rows like any other (message empty); its secret is
    read at send time, never copied into the delivery."""

    department = models.ForeignKey(
        "org.Department", verbose_name=_("部门"), on_delete=models.CASCADE, related_name="robots"
    )
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(
        _("格式"), max_length=10, choices=[k for k in WEBHOOK_KINDS if k[0] != Channel.WEBHOOK]
    )
    url = models.URLField(_("机器人地址"), max_length=300)
    secret = models.CharField(_("加签密钥"), max_length=100, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "department__division"

    class Meta:
        verbose_name = _("部门群机器人")
        verbose_name_plural = _("部门群机器人")
        ordering = ["department_id", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def clean(self) -> None:
        from .rules import preference_problems

        problems = preference_problems(
            webhook_url=self.url,
            webhook_kind=self.kind,
            webhook_secret=self.secret,
            allow_loopback=bool(conf.get("NOTIFY_WEBHOOK_ALLOW_LOOPBACK")),
        )
        field = {"webhook_url": "url", "webhook_kind": "kind", "webhook_secret": "secret"}
        if problems:
            raise ValidationError(
                {field[f]: ValidationError(PROBLEM_MESSAGES[code], code=code) for f, code in problems.items()}
            )
