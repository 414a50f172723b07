"""Enumerations of the emergency-plans app, with their colours."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.core.choices import coloured


class PlanKind(models.TextChoices):
    """生产安全事故应急预案管理办法 §6: comprehensive (government: general), special, on-site plans."""

    GENERAL = "general", _("总体(综合)应急预案")
    SPECIAL = "special", _("专项应急预案")
    ONSITE = "onsite", _("现场处置方案")


class OwnerLevel(models.TextChoices):
    CITY = "city", _("市级")
    DISTRICT = "district", _("县(市、区)级")
    DEPARTMENT = "department", _("部门")
    TOWNSHIP = "township", _("乡镇(街道)")
    ENTERPRISE = "enterprise", _("企业")


@coloured({"draft": "grey", "effective": "green", "retired": "purple"})
class PlanState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    EFFECTIVE = "effective", _("现行有效")
    RETIRED = "retired", _("已废止")


@coloured({"4": "blue", "3": "yellow", "2": "orange", "1": "red"})
class Level(models.TextChoices):
    """Response levels Ⅰ (highest) – Ⅳ, the same values as emergency's ResponseLevel."""

    IV = "4", _("Ⅳ级")
    III = "3", _("Ⅲ级")
    II = "2", _("Ⅱ级")
    I = "1", _("Ⅰ级")  # noqa: E741


@coloured({"active": "red", "stood_down": "green"})
class ActivationState(models.TextChoices):
    ACTIVE = "active", _("响应中")
    STOOD_DOWN = "stood_down", _("已终止")


@coloured({"pending": "orange", "in_progress": "blue", "done": "green", "closed": "grey"})
class TaskState(models.TextChoices):
    PENDING = "pending", _("待处置")
    IN_PROGRESS = "in_progress", _("处置中")
    DONE = "done", _("已完成")
    CLOSED = "closed", _("响应终止时关闭")


OPEN_TASK_STATES = (TaskState.PENDING, TaskState.IN_PROGRESS)


class DrillKind(models.TextChoices):
    TABLETOP = "tabletop", _("桌面推演")
    FUNCTIONAL = "functional", _("功能演练")
    FULL = "full", _("综合(实战)演练")


class AttachmentKind(models.TextChoices):
    PDF = "pdf", "PDF"
    DOC = "doc", "Word (.doc)"
    DOCX = "docx", "Word (.docx)"
