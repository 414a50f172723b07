from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.core.choices import coloured


class Channel(models.TextChoices):
    INBOX = "inbox", _("站内信")
    EMAIL = "email", _("邮件")
    SMS = "sms", _("短信")
    WEBHOOK = "webhook", _("Webhook")
    WECOM = "wecom", _("企业微信机器人")
    DINGTALK = "dingtalk", _("钉钉机器人")


# The formats a personal webhook can speak (a subset of Channel).
WEBHOOK_KINDS = [
    (Channel.WEBHOOK.value, _("通用 JSON(HMAC 签名)")),
    (Channel.WECOM.value, _("企业微信群机器人")),
    (Channel.DINGTALK.value, _("钉钉群机器人")),
]


@coloured({"pending": "orange", "sending": "blue", "sent": "green", "failed": "red", "retrying": "yellow"})
class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    RETRYING = "retrying", _("重试中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("失败")


# Statuses a reconciler picks up when next_attempt_at has come.
DUE_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)
