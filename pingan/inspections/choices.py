"""Enumerations of inspections and special work, with their colours (never in templates)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.core.choices import coloured


@coloured({"draft": "grey", "drawn": "blue", "closed": "green"})
class PlanState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    DRAWN = "drawn", _("已抽取")
    CLOSED = "closed", _("已结束")


@coloured({"random": "blue", "covert": "purple", "surprise": "orange"})
class InspectionMode(models.TextChoices):
    RANDOM = "random", _("双随机抽查")
    COVERT = "covert", _("暗查暗访")
    SURPRISE = "surprise", _("突击检查")


# Modes whose plan and draw are hidden from the target and outsiders until the inspection starts.
HIDDEN_MODES = frozenset({InspectionMode.COVERT, InspectionMode.SURPRISE})


@coloured({"planned": "blue", "started": "orange", "finished": "yellow", "closed": "green"})
class InspectionState(models.TextChoices):
    PLANNED = "planned", _("待检查")
    STARTED = "started", _("检查中")
    FINISHED = "finished", _("待复查")
    CLOSED = "closed", _("已办结")


@coloured({"open": "red", "rectified": "green"})
class FindingState(models.TextChoices):
    OPEN = "open", _("待整改")
    RECTIFIED = "rectified", _("复查合格")


class RecusalKind(models.TextChoices):
    RELATIVE = "relative", _("近亲属")
    FORMER_EMPLOYER = "former_employer", _("曾任职单位")
    DECLARED = "declared", _("申报的利害关系")


@coloured({"low": "blue", "general": "yellow", "higher": "orange", "major": "red"})
class RiskLevel(models.TextChoices):
    LOW = "low", _("低风险")
    GENERAL = "general", _("一般风险")
    HIGHER = "higher", _("较大风险")
    MAJOR = "major", _("重大风险")


class WorkType(models.TextChoices):
    """The eight special-work types of GB 30871-2022 (values are rules.WORK_TYPES keys)."""

    HOT_WORK = "hot_work", _("动火作业")
    CONFINED_SPACE = "confined_space", _("受限空间作业")
    BLINDING = "blinding", _("盲板抽堵作业")
    HEIGHT = "height", _("高处作业")
    LIFTING = "lifting", _("吊装作业")
    TEMPORARY_POWER = "temporary_power", _("临时用电作业")
    EXCAVATION = "excavation", _("动土作业")
    ROAD_CLOSURE = "road_closure", _("断路作业")


class WorkGrade(models.TextChoices):
    NONE = "", _("不分级")
    SPECIAL = "special", _("特级")
    FIRST = "first", _("一级")
    SECOND = "second", _("二级")
    THIRD = "third", _("三级")


class ApproverLevel(models.TextChoices):
    UNIT = "unit", _("作业所在单位")
    SAFETY = "safety", _("安全管理部门")
    PRINCIPAL = "principal", _("主要负责人")


@coloured({"applied": "blue", "approved": "green", "refused": "red"})
class PermitState(models.TextChoices):
    APPLIED = "applied", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不予批准")


class DocumentKind(models.TextChoices):
    """The enforcement documents (执法文书) generated from an inspection's record."""

    SITE_RECORD = "site_record", _("现场检查记录")
    RECTIFY_ORDER = "rectify_order", _("责令限期整改指令书")
    REVIEW_OPINION = "review_opinion", _("整改复查意见书")
    PENALTY_NOTICE = "penalty_notice", _("行政处罚告知书")
    PENALTY_DECISION = "penalty_decision", _("行政处罚决定书")


# The abbreviation of each kind in the document number (文号), e.g. 清城应急责改〔2026〕3号.
DOCUMENT_ABBREVIATIONS = {
    DocumentKind.SITE_RECORD: "检记",
    DocumentKind.RECTIFY_ORDER: "责改",
    DocumentKind.REVIEW_OPINION: "复查",
    DocumentKind.PENALTY_NOTICE: "罚告",
    DocumentKind.PENALTY_DECISION: "罚决",
}


@coloured({"notified": "orange", "hearing": "purple", "decided": "red", "paid": "green"})
class PenaltyState(models.TextChoices):
    NOTIFIED = "notified", _("已告知")
    HEARING = "hearing", _("听证中")
    DECIDED = "decided", _("已决定待缴纳")
    PAID = "paid", _("已缴纳")
