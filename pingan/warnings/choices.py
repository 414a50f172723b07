"""Enumerations of early-warning publication, with their colours (docs/domain §3, §8)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.core.choices import coloured


def issuable_colours() -> list[tuple[str, str]]:
    """The colours a warning may be issued in: every level but "unknown", which only imported feeds carry."""
    return [c for c in Colour.choices if c[0] != Colour.UNKNOWN]


@coloured({"red": "red", "orange": "orange", "yellow": "yellow", "blue": "blue", "unknown": "grey"})
class Colour(models.TextChoices):
    """Warning levels (§3): 一级 red (highest) … 四级 blue; the Chinese feed adds 'unknown' (§8)."""

    RED = "red", _("红色(一级)")
    ORANGE = "orange", _("橙色(二级)")
    YELLOW = "yellow", _("黄色(三级)")
    BLUE = "blue", _("蓝色(四级)")
    UNKNOWN = "unknown", _("未定级")


@coloured(
    {
        "draft": "grey",
        "review": "purple",
        "approved": "teal",
        "published": "red",
        "superseded": "blue",
        "cancelled": "green",
        "expired": "grey",
    }
)
class State(models.TextChoices):
    """draft → review → approved → published; a published message ends by an Update (superseded),
    a Cancel (cancelled) or its own `expires` (expired)."""

    DRAFT = "draft", _("草稿")
    REVIEW = "review", _("待审批")
    APPROVED = "approved", _("已批准")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已更新")
    CANCELLED = "cancelled", _("已解除")
    EXPIRED = "expired", _("已过期")


@coloured({"Alert": "red", "Update": "orange", "Cancel": "green"})
class MsgType(models.TextChoices):
    ALERT = "Alert", _("首次")
    UPDATE = "Update", _("更新")
    CANCEL = "Cancel", _("解除")


@coloured({"staff": "blue", "monitoring": "purple", "import": "teal"})
class Source(models.TextChoices):
    STAFF = "staff", _("人工编制")
    MONITORING = "monitoring", _("监测自动建议")
    IMPORT = "import", _("外部导入")


class Category(models.TextChoices):
    """§3 categories; a warning exists only for the first three (the law gives none for social security)."""

    NATURAL = "natural", _("自然灾害")
    ACCIDENT = "accident", _("事故灾难")
    PUBLIC_HEALTH = "public_health", _("公共卫生事件")


# States in which a message is still being prepared (editable, not yet public).
PREPARING = (State.DRAFT, State.REVIEW, State.APPROVED)
# States of a message that was made public at some time (the feed keeps them).
PUBLIC_STATES = (State.PUBLISHED, State.SUPERSEDED, State.CANCELLED, State.EXPIRED)


class BroadcastChannel(models.TextChoices):
    """Where a published message went besides the subscribers' own channels (who received what)."""

    INBOX = "inbox", _("订阅群众")
    WECOM = "wecom", _("企业微信机器人")
    DINGTALK = "dingtalk", _("钉钉机器人")
    MQTT = "mqtt", _("显示屏与预警广播(MQTT)")


@coloured({"queued": "orange", "sent": "green", "failed": "red", "off": "grey"})
class BroadcastStatus(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("失败")
    OFF = "off", _("未配置")
