"""Enumerations of responsibility and assessment."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.core.choices import coloured


class PostKind(models.TextChoices):
    """党政同责: the party secretary and the head of government are equally responsible; 一岗双责: each
    deputy and each department head answers for safety in their own line of work."""

    PARTY = "party", _("党委主要负责人")
    GOVERNMENT = "government", _("政府主要负责人")
    DEPUTY = "deputy", _("班子成员(分管)")
    DEPARTMENT = "department", _("部门主要负责人")


@coloured({"draft": "grey", "published": "green"})
class AssessmentState(models.TextChoices):
    DRAFT = "draft", _("评分中")
    PUBLISHED = "published", _("已公布")


class Source(models.TextChoices):
    """Where an item's score comes from."""

    KPI = "kpi", _("指挥中心指标")
    DUTY = "duty", _("责任清单签订率")
    MANUAL = "manual", _("人工评分")


class UnitKind(models.TextChoices):
    DISTRICT = "district", _("区县")
    DEPARTMENT = "department", _("市直部门")
