"""Enumerations of safety licensing, with their colours (never in templates)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.core.choices import coloured


class LicenceKind(models.TextChoices):
    """The licences and construction-project reviews (values are rules.TYPES keys)."""

    HAZCHEM_TRADE = "hazchem_trade", _("危险化学品经营许可证")
    SAFETY_MINE = "safety_mine", _("安全生产许可证(非煤矿山)")
    SAFETY_HAZCHEM = "safety_hazchem", _("安全生产许可证(危险化学品生产)")
    SAFETY_FIREWORKS = "safety_fireworks", _("安全生产许可证(烟花爆竹生产)")
    FIREWORKS_TRADE = "fireworks_trade", _("烟花爆竹经营许可证")
    REVIEW_CONDITIONS = "review_conditions", _("建设项目安全条件审查")
    REVIEW_DESIGN = "review_design", _("建设项目安全设施设计审查")
    REVIEW_COMPLETION = "review_completion", _("建设项目安全设施竣工验收")


class Material(models.TextChoices):
    """Materials an application may require (rules.TYPES names which)."""

    APPLICATION_FORM = "application_form", _("申请书")
    BUSINESS_LICENCE = "business_licence", _("营业执照")
    PRINCIPAL_CERTIFICATE = "principal_certificate", _("主要负责人安全生产知识和管理能力考核合格证")
    SAFETY_RULES = "safety_rules", _("安全生产规章制度和操作规程")
    STORAGE_EVALUATION = "storage_evaluation", _("储存设施安全评价报告")
    EMERGENCY_PLAN = "emergency_plan", _("生产安全事故应急预案")
    SAFETY_EVALUATION = "safety_evaluation", _("安全评价报告")
    INSURANCE = "insurance", _("工伤保险或安全生产责任保险证明")
    MAJOR_SOURCES = "major_sources", _("重大危险源备案材料")
    PROJECT_APPROVAL = "project_approval", _("建设项目批准、核准或备案文件")
    CONDITIONS_OPINION = "conditions_opinion", _("安全条件审查意见书")
    SAFETY_DESIGN = "safety_design", _("安全设施设计专篇")
    DESIGN_OPINION = "design_opinion", _("安全设施设计审查意见书")
    ACCEPTANCE_EVALUATION = "acceptance_evaluation", _("安全验收评价报告")
    TRIAL_REPORT = "trial_report", _("试生产(使用)情况报告")


@coloured(
    {
        "submitted": "blue",
        "incomplete": "orange",
        "accepted": "purple",
        "stopped": "grey",
        "approved": "green",
        "refused": "red",
    }
)
class ApplicationState(models.TextChoices):
    SUBMITTED = "submitted", _("已提交待受理")
    INCOMPLETE = "incomplete", _("待补正材料")
    ACCEPTED = "accepted", _("已受理审查中")
    STOPPED = "stopped", _("暂停计时")
    APPROVED = "approved", _("准予许可")
    REFUSED = "refused", _("不予许可")


class StopReason(models.TextChoices):
    """Why the clock may stop (rules.STOP_REASONS)."""

    MATERIALS = "materials", _("补正材料")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    SITE_CHECK = "site_check", _("现场核查")


@coloured({"valid": "green", "suspended": "orange", "revoked": "red"})
class LicenceState(models.TextChoices):
    VALID = "valid", _("有效")
    SUSPENDED = "suspended", _("暂扣")
    REVOKED = "revoked", _("吊销")
