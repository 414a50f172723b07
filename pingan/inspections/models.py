"""Inspections (一单两库, plans, draws, records, findings) and special-work permits.

No workflow here: every change goes through actions.py.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.core.querysets import NOTHING, ScopedQuerySet, default_scope_q
from pingan.org.choices import Industry, Role

from .choices import (
    HIDDEN_MODES,
    ApproverLevel,
    DocumentKind,
    FindingState,
    InspectionMode,
    InspectionState,
    PenaltyState,
    PermitState,
    PlanState,
    RecusalKind,
    RiskLevel,
    WorkGrade,
    WorkType,
)


class CheckItem(models.Model):
    """An item of the spot-check list (抽查事项清单), per industry, with its legal basis."""

    industry = models.CharField(_("行业"), max_length=30, choices=Industry.choices, db_index=True)
    code = models.CharField(_("编号"), max_length=30, unique=True)
    title = models.CharField(_("检查事项"), max_length=200)
    basis = models.CharField(_("法律依据"), max_length=300)
    # One of the 重大事故隐患判定标准 items of the industry: a finding on it is a MAJOR hazard.
    major = models.BooleanField(_("重大事故隐患判定项"), default=False)

    objects = ScopedQuerySet.as_manager()
    scope_public = True

    class Meta:
        ordering = ["industry", "code"]
        verbose_name = _("抽查事项")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Target(models.Model):
    """The register of inspection targets (检查对象名录库), one row per enterprise."""

    enterprise = models.OneToOneField(
        "org.Enterprise",
        verbose_name=_("生产经营单位"),
        on_delete=models.CASCADE,
        related_name="inspection_target",
    )
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    industry = models.CharField(_("行业"), max_length=30, choices=Industry.choices)
    risk_level = models.CharField(
        _("风险等级"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.GENERAL
    )
    key_supervision = models.BooleanField(_("重点监管"), default=False)
    last_inspected = models.DateField(_("最近检查"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"
    scope_enterprise = "enterprise"

    class Meta:
        ordering = ["division__code", "pk"]
        verbose_name = _("检查对象")

    def __str__(self) -> str:
        return str(self.enterprise.name)


class Inspector(models.Model):
    """The register of inspectors (执法检查人员名录库) with their enforcement certificates."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.CASCADE,
        related_name="inspector_profile",
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+"
    )
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+"
    )
    certificate_no = models.CharField(_("执法证号"), max_length=40, unique=True)
    certificate_expiry = models.DateField(_("执法证有效期至"))

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"
    scope_enterprise = None

    class Meta:
        ordering = ["division__code", "pk"]
        verbose_name = _("执法检查人员")

    def __str__(self) -> str:
        return str(getattr(self.user, "display_name", "") or self.user.get_username())


class Recusal(models.Model):
    """A relation that requires the inspector to step aside for that enterprise (行政处罚法 §43)."""

    inspector = models.ForeignKey(
        Inspector, verbose_name=_("执法人员"), on_delete=models.CASCADE, related_name="recusals"
    )
    enterprise = models.ForeignKey(
        "org.Enterprise", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("回避事由"), max_length=20, choices=RecusalKind.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "inspector__division"
    scope_enterprise = None

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inspector", "enterprise", "kind"], name="recusal_unique")
        ]
        verbose_name = _("回避关系")

    def __str__(self) -> str:
        return f"{self.inspector_id}→{self.enterprise_id} ({self.kind})"


class Plan(models.Model):
    """An annual spot-check plan of a department (抽查计划) with its batches."""

    name = models.CharField(_("计划名称"), max_length=200)
    year = models.PositiveIntegerField(_("年度"))
    department = models.ForeignKey(
        "org.Department", verbose_name=_("实施部门"), on_delete=models.PROTECT, related_name="+"
    )
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("实施区域"), on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField(
        _("检查方式"), max_length=10, choices=InspectionMode.choices, default=InspectionMode.RANDOM
    )
    cross_district = models.BooleanField(_("异地交叉检查"), default=False)
    cross_basis = models.CharField(_("异地检查依据或委托"), max_length=300, blank=True)
    industry = models.CharField(_("行业"), max_length=30, choices=Industry.choices, blank=True)
    ratio = models.DecimalField(_("一般对象抽查比例"), max_digits=4, decimal_places=3, default=0)
    state = models.CharField(_("状态"), max_length=10, choices=PlanState.choices, default=PlanState.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"
    scope_enterprise = None

    class Meta:
        ordering = ["-year", "-pk"]
        verbose_name = _("抽查计划")

    def __str__(self) -> str:
        return str(self.name)

    @property
    def hidden(self) -> bool:
        return self.mode in HIDDEN_MODES

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        # A covert or surprise plan is known only to its own department and the drawn inspectors.
        # The drawn inspectors see their plan wherever they work (a cross-district draw sends them
        # outside their own area).
        base = default_scope_q(cls, user)
        drawn = Q(pk__in=Inspection.objects.filter(inspectors__user=user).values("plan_id"))
        own = Q(department_id=user.department_id) if user.department_id else NOTHING
        return (base & (~Q(mode__in=HIDDEN_MODES) | own)) | drawn


class Draw(models.Model):
    """A random draw of a plan: seed, inputs and algorithm version, published so anyone can re-run it."""

    plan = models.OneToOneField(
        Plan, verbose_name=_("抽查计划"), on_delete=models.CASCADE, related_name="draw"
    )
    seed = models.CharField(_("随机种子"), max_length=64)
    algorithm = models.CharField(_("算法版本"), max_length=20)
    inputs = models.JSONField(_("抽取输入"))
    result = models.JSONField(_("抽取结果"))
    drawn_at = models.DateTimeField(default=timezone.now)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    # The record of a draw is public (双随机一公开) unless its plan is hidden: the verify page
    # asks the plan's visibility for hidden ones.
    objects = ScopedQuerySet.as_manager()
    scope_division = "plan__division"
    scope_enterprise = None

    class Meta:
        verbose_name = _("随机抽取")

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.seed}"

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return Q(plan__in=Plan.objects.filter(Plan.scope_q(user)).values("pk"))


class Inspection(models.Model):
    """One inspection of one target by (at least) two inspectors."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("抽查计划"), on_delete=models.PROTECT, related_name="inspections"
    )
    target = models.ForeignKey(Target, verbose_name=_("检查对象"), on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(
        "org.Enterprise", verbose_name=_("生产经营单位"), on_delete=models.PROTECT, related_name="+"
    )
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField(_("检查方式"), max_length=10, choices=InspectionMode.choices)
    inspectors = models.ManyToManyField(Inspector, verbose_name=_("执法人员"), related_name="inspections")
    state = models.CharField(
        _("状态"),
        max_length=10,
        choices=InspectionState.choices,
        default=InspectionState.PLANNED,
        db_index=True,
    )
    representative = models.CharField(_("被检查单位代表"), max_length=50, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    publish_by = models.DateField(_("结果公示期限"), null=True, blank=True)
    published_at = models.DateTimeField(_("结果公示时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"
    scope_enterprise = "enterprise"

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("检查")

    def __str__(self) -> str:
        return f"JC-{self.pk}"

    @property
    def hidden(self) -> bool:
        return self.mode in HIDDEN_MODES and self.state == InspectionState.PLANNED

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        # Hidden (covert/surprise, not started): the target's users and outsiders do not see it; the
        # plan's department and the drawn inspectors do. Starting it is the audited reveal.
        base = default_scope_q(cls, user)
        revealed = ~Q(mode__in=HIDDEN_MODES) | ~Q(state=InspectionState.PLANNED)
        if user.role == Role.ENTERPRISE:
            return base & revealed
        # The drawn inspectors see it wherever they work (cross-district draws), the plan's department
        # inside its area.
        drawn = Q(pk__in=cls.objects.filter(inspectors__user=user).values("pk"))
        own = Q(plan__department_id=user.department_id) if user.department_id else NOTHING
        return (base & (revealed | own)) | drawn


class Finding(models.Model):
    """A finding of an inspection: a hazard case on the hazard platform, rectified by a deadline."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.CASCADE, related_name="findings"
    )
    item = models.ForeignKey(
        CheckItem,
        verbose_name=_("检查事项"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    description = models.TextField(_("问题描述"))
    major = models.BooleanField(_("重大事故隐患"), default=False)
    rectify_by = models.DateField(_("整改期限"))
    hazard_case_id = models.PositiveIntegerField(_("隐患案件"), null=True, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=FindingState.choices, default=FindingState.OPEN
    )
    reinspected_at = models.DateTimeField(_("复查时间"), null=True, blank=True)
    reinspection_note = models.CharField(_("复查意见"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The device's token of a finding recorded offline (the field app): a replay finds this row.
    client_token = models.UUIDField(_("客户端令牌"), null=True, blank=True, unique=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope_division = "inspection__division"
    scope_enterprise = "inspection__enterprise"

    class Meta:
        ordering = ["pk"]
        verbose_name = _("检查发现的问题")

    def __str__(self) -> str:
        return str(self.description)[:60]

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        # Whoever sees the inspection sees its findings (covert rules and cross-district included).
        return Q(inspection_id__in=Inspection.objects.filter(Inspection.scope_q(user)).values("pk"))


class FieldRecord(models.Model):
    """The on-site record of an inspection taken on a phone (possibly offline and synced later): the
    checklist answers, position and time on the device, the inspectors present and the target's
    representative, with the signatures they drew on screen. One per inspection; `client_token` is
    the device's token, so a repeated sync finds the same row."""

    inspection = models.OneToOneField(
        Inspection, verbose_name=_("检查"), on_delete=models.PROTECT, related_name="field_record"
    )
    client_token = models.UUIDField(_("客户端令牌"), unique=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    present = models.ManyToManyField(Inspector, verbose_name=_("在场执法人员"), related_name="+")
    representative = models.CharField(_("被检查单位代表"), max_length=50)
    started_at = models.DateTimeField(_("现场检查开始(设备时间)"))
    ended_at = models.DateTimeField(_("现场检查结束(设备时间)"))
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    accuracy_m = models.FloatField(_("定位精度(米)"), null=True, blank=True)
    answers = models.JSONField(_("检查表结果"), default=dict, blank=True)
    note = models.TextField(_("情况说明"), blank=True)
    # {"inspector:<id>": file name, "representative": file name}: PNGs drawn on the phone's screen.
    signatures = models.JSONField(_("签名"), default=dict, blank=True)
    received_at = models.DateTimeField(_("同步时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_division = "inspection__division"
    scope_enterprise = "inspection__enterprise"

    class Meta:
        verbose_name = _("现场检查记录(移动端)")

    def __str__(self) -> str:
        return f"XC-{self.inspection_id}"

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return Q(inspection_id__in=Inspection.objects.filter(Inspection.scope_q(user)).values("pk"))


class WorkPermit(models.Model):
    """A special-work permit (安全作业票) filed by an enterprise."""

    enterprise = models.ForeignKey(
        "org.Enterprise", verbose_name=_("生产经营单位"), on_delete=models.PROTECT, related_name="+"
    )
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    work_type = models.CharField(_("作业类型"), max_length=20, choices=WorkType.choices)
    grade = models.CharField(_("作业级别"), max_length=10, choices=WorkGrade.choices, blank=True)
    location = models.CharField(_("作业地点"), max_length=200)
    work = models.CharField(_("作业内容"), max_length=300)
    applicant = models.CharField(_("申请人"), max_length=50)
    guardian = models.CharField(_("监护人"), max_length=50)
    measures = models.JSONField(_("安全措施"), default=list, blank=True)
    gas_analyses = models.JSONField(_("气体分析"), default=list, blank=True)
    valid_from = models.DateTimeField(_("有效期自"))
    valid_until = models.DateTimeField(_("有效期至"))
    state = models.CharField(
        _("状态"), max_length=10, choices=PermitState.choices, default=PermitState.APPLIED
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approver_level = models.CharField(_("审批层级"), max_length=10, choices=ApproverLevel.choices, blank=True)
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"
    scope_enterprise = "enterprise"

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("特殊作业票")

    def __str__(self) -> str:
        return f"ZY-{self.pk}"


class DocumentCounter(models.Model):
    """The last number issued per department, year and kind: the row is locked while a number is taken,
    in the transaction that stores the document, so the sequence has no gaps and no duplicates."""

    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["department", "year", "kind"], name="document_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.department_id}/{self.year}/{self.kind}: {self.last}"


class Penalty(models.Model):
    """An administrative penalty (行政处罚) arising from an inspection: the penalty register's row."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.PROTECT, related_name="penalties"
    )
    enterprise = models.ForeignKey(
        "org.Enterprise", verbose_name=_("当事人"), on_delete=models.PROTECT, related_name="+"
    )
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("处罚机关"), on_delete=models.PROTECT, related_name="+"
    )
    facts = models.TextField(_("违法事实"))
    basis = models.CharField(_("法律依据"), max_length=300)
    amount = models.DecimalField(_("罚款金额(元)"), max_digits=12, decimal_places=2)
    state = models.CharField(
        _("状态"), max_length=10, choices=PenaltyState.choices, default=PenaltyState.NOTIFIED
    )
    notified_at = models.DateTimeField(_("告知时间"), default=timezone.now)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    pay_by = models.DateField(_("缴纳期限"), null=True, blank=True)
    paid_at = models.DateTimeField(_("缴纳时间"), null=True, blank=True)
    # 加处罚款 (行政处罚法 §72) paid with a late fine, fixed when the payment is recorded.
    surcharge = models.DecimalField(_("加处罚款(元)"), max_digits=12, decimal_places=2, default=0)
    # 听证 (§63–65): requested within 5 days of the notice, told 7 days ahead, then held.
    hearing_requested_at = models.DateTimeField(_("申请听证时间"), null=True, blank=True)
    hearing_on = models.DateField(_("听证日期"), null=True, blank=True)
    hearing_place = models.CharField(_("听证地点"), max_length=200, blank=True)
    heard_at = models.DateTimeField(_("听证举行时间"), null=True, blank=True)
    hearing_note = models.TextField(_("听证笔录摘要"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"
    scope_enterprise = "enterprise"

    class Meta:
        ordering = ["-notified_at", "-pk"]
        verbose_name = _("行政处罚")

    def __str__(self) -> str:
        return f"CF-{self.pk}"

    @property
    def hearing_window_open(self) -> bool:
        """The party may still ask for a hearing today (行政处罚法 §64: within 5 days of the notice)."""
        from . import rules

        return (
            self.state == PenaltyState.NOTIFIED
            and self.hearing_requested_at is None
            and rules.hearing_request_open(timezone.localdate(self.notified_at), timezone.localdate())
        )

    @property
    def surcharge_today(self) -> Any:
        """加处罚款 owed today on a decided, unpaid fine (行政处罚法 §72)."""
        from . import rules

        if self.state != PenaltyState.DECIDED:
            return self.surcharge
        return rules.late_surcharge(self.amount, self.pay_by, timezone.localdate())

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        # Whoever sees the inspection sees its penalties (the party included, once revealed).
        return Q(inspection_id__in=Inspection.objects.filter(Inspection.scope_q(user)).values("pk"))


class EnforcementDocument(models.Model):
    """An enforcement document (执法文书) with its number; its content is frozen when it is issued and
    rendered to PDF or DOCX on demand, so a download always shows what was issued."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.PROTECT, related_name="documents"
    )
    penalty = models.ForeignKey(
        Penalty,
        verbose_name=_("行政处罚"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    kind = models.CharField(_("文书种类"), max_length=20, choices=DocumentKind.choices)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("制作机关"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveIntegerField(_("年度"))
    seq = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("文号"), max_length=80)
    content = models.JSONField(_("文书内容"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("制作时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_division = "inspection__division"
    scope_enterprise = "inspection__enterprise"

    class Meta:
        ordering = ["issued_at", "pk"]
        verbose_name = _("执法文书")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year", "kind", "seq"], name="document_number_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.number)

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        # Whoever sees the inspection sees its documents (covert rules and cross-district included).
        return Q(inspection_id__in=Inspection.objects.filter(Inspection.scope_q(user)).values("pk"))
