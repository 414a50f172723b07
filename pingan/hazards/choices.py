"""Enumerations of the hazard platform, with their colours (colours live here, never in templates)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.core.choices import coloured


@coloured(
    {
        "submitted": "blue",
        "registered": "teal",
        "declined": "grey",
        "reported": "purple",
        "plan_approved": "purple",
        "assigned": "orange",
        "rectifying": "orange",
        "awaiting_acceptance": "yellow",
        "closed": "green",
        "returned": "red",
        "merged": "grey",
        "backlog": "red",
    }
)
class State(models.TextChoices):
    """docs/domain §1 lifecycle (受理 → 立案 → [重大: 上报 → 方案批准] → 派遣 → 整改 → 待验收 → 销号)."""

    SUBMITTED = "submitted", _("已受理")
    REGISTERED = "registered", _("已立案")
    DECLINED = "declined", _("不予立案")
    REPORTED = "reported", _("已上报监管部门")
    PLAN_APPROVED = "plan_approved", _("治理方案已批准")
    ASSIGNED = "assigned", _("已派遣")
    RECTIFYING = "rectifying", _("整改中")
    AWAITING_ACCEPTANCE = "awaiting_acceptance", _("待验收")
    CLOSED = "closed", _("已销号")
    RETURNED = "returned", _("已退回受理中心")
    MERGED = "merged", _("已合并")
    BACKLOG = "backlog", _("挂账")


# States in which the case is still someone's work (shown as overdue when past its due time).
OPEN_STATES = frozenset(
    {
        State.SUBMITTED,
        State.REGISTERED,
        State.REPORTED,
        State.PLAN_APPROVED,
        State.ASSIGNED,
        State.RECTIFYING,
        State.AWAITING_ACCEPTANCE,
        State.RETURNED,
    }
)
FINAL_STATES = frozenset({State.DECLINED, State.MERGED})


@coloured({"general": "yellow", "major": "red"})
class Grade(models.TextChoices):
    GENERAL = "general", _("一般事故隐患")
    MAJOR = "major", _("重大事故隐患")


class Source(models.TextChoices):
    CONSOLE = "console", _("工作人员录入")
    GRID = "grid", _("网格员上报")
    ENTERPRISE = "enterprise", _("企业自查自报")
    PUBLIC = "public", _("群众举报")
    API = "api", _("接口")
    OPEN311 = "open311", _("Open311")
    MONITORING = "monitoring", _("监测预警")
    INSPECTION = "inspection", _("执法检查")
    HIGHER = "higher", _("上级交办")
    VIDEO = "video", _("视频巡查")


# Sources whose cases are listed publicly (Open311 GET requests): what the public told us.
PUBLIC_SOURCES = frozenset({Source.PUBLIC, Source.OPEN311})


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("工作日")
    WORKING_HOURS = "working_hours", _("工作小时")


class TaskRole(models.TextChoices):
    LEAD = "lead", _("牵头")
    CO = "co", _("协办")


@coloured({"pending": "blue", "working": "orange", "done": "green", "returned": "red", "cancelled": "grey"})
class TaskState(models.TextChoices):
    PENDING = "pending", _("待处理")
    WORKING = "working", _("处理中")
    DONE = "done", _("已完成")
    RETURNED = "returned", _("已退回")
    CANCELLED = "cancelled", _("已取消")


class PhotoKind(models.TextChoices):
    REPORT = "report", _("上报照片")
    RECTIFICATION = "rectification", _("整改照片")
    BEFORE = "before", _("整改前照片")
    AFTER = "after", _("整改后照片")
    ACCEPTANCE = "acceptance", _("验收照片")


class ReviewState(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class FeedbackAnswer(models.TextChoices):
    FIXED = "fixed", _("已消除")
    NOT_FIXED = "not_fixed", _("未消除")


class NoticeKind(models.TextChoices):
    """The printable notices of a case (numbered per issuing department, year and kind)."""

    RECTIFY = "rectify", _("整改通知书")
    SUPERVISE = "supervise", _("督办通知书")
