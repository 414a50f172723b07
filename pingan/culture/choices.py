from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.core.choices import coloured


@coloured({"article": "blue", "case": "red", "law": "purple", "knowledge": "orange"})
class ContentKind(models.TextChoices):
    ARTICLE = "article", _("安全知识")
    CASE = "case", _("事故案例")
    LAW = "law", _("法律宣传")
    KNOWLEDGE = "knowledge", _("预警知识")


class Trainee(models.TextChoices):
    PRINCIPAL = "principal", _("主要负责人")
    SAFETY_MANAGER = "safety_manager", _("安全管理人员")
    NEW_WORKER = "new_worker", _("新上岗从业人员")
    CADRE = "cadre", _("基层干部")


class TrainingKind(models.TextChoices):
    INITIAL = "initial", _("初次培训")
    REFRESHER = "refresher", _("每年再培训")


class ActivityKind(models.TextChoices):
    LECTURE = "lecture", _("安全讲座")
    SKILLS = "skills", _("技能培训")
    DRILL = "drill", _("应急演练")


class SiteKind(models.TextChoices):
    COMMUNITY = "community", _("社区")
    SCHOOL = "school", _("学校")
    ENTERPRISE = "enterprise", _("企业")


@coloured({"applied": "orange", "approved": "green", "rejected": "grey"})
class SiteState(models.TextChoices):
    APPLIED = "applied", _("已申报")
    APPROVED = "approved", _("已命名")
    REJECTED = "rejected", _("未通过")


# Assessment criteria of a demonstration site and their points (sum 100; pass: rules.SITE_PASS_SCORE).
SITE_CRITERIA = {
    "organisation": (_("有安全工作机构和负责人"), 20),
    "plan": (_("有应急预案并每年演练"), 20),
    "education": (_("每年开展安全宣传教育"), 20),
    "hazards": (_("隐患排查整改闭环"), 20),
    "facilities": (_("安全设施和应急物资完好"), 20),
}


class OrgKind(models.TextChoices):
    RESCUE = "rescue", _("社会救援队伍")
    ASSOCIATION = "association", _("协会/社团")
    SERVICE = "service", _("专业服务机构")
