"""The prevention half of the platform: risk objects and the dual-prevention chain (risk object →
risk events → control measures → check tasks → check records), risk assessments with their history,
major hazard sources (GB 18218-2018) and the enterprises' daily safety commitment.

Scoping: city risk points live in a division (owned by a department); enterprises' analysis units,
major hazard sources and commitments belong to an enterprise and carry its division, so that
government staff see their area and enterprise people their own rows. Rows below the risk object
reach their scope through it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.core.choices import colour_of
from pingan.core.querysets import ScopedQuerySet

from .choices import (
    CheckResult,
    Cycle,
    FilingState,
    Level,
    LifelineKind,
    MeasureKind,
    Method,
    MhsGrade,
    ObjectKind,
    PointType,
    Post,
    SpecialWork,
    UnitKind,
)


class RiskObject(models.Model):
    """A city risk point (城市风险点) or an enterprise's analysis unit (安全风险分析单元)."""

    kind = models.CharField(_("类型"), max_length=20, choices=ObjectKind.choices, db_index=True)
    point_type = models.CharField(
        _("风险点类别"), max_length=20, choices=PointType.choices, default=PointType.OTHER
    )
    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    enterprise = models.ForeignKey(
        "org.Enterprise",
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_objects",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    level = models.CharField(
        _("风险等级"), max_length=12, choices=Level.choices, default=Level.UNASSESSED, db_index=True
    )
    owner_post = models.CharField(_("管控层级"), max_length=20, choices=Post.choices, blank=True)
    assessed_at = models.DateTimeField(_("评估时间"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"
    scope_enterprise = "enterprise"

    class Meta:
        ordering = ["-id"]
        verbose_name = _("风险对象")
        verbose_name_plural = _("风险对象")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="city_point") | models.Q(enterprise__isnull=False),
                name="risks_unit_has_enterprise",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def colour(self) -> str:
        return colour_of(Level, self.level)


class RiskEvent(models.Model):
    """What can go wrong at a risk object (风险事件)."""

    risk_object = models.ForeignKey(RiskObject, on_delete=models.CASCADE, related_name="events")
    name = models.CharField(_("风险事件"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_division = "risk_object__division"
    scope_enterprise = "risk_object__enterprise"

    class Meta:
        ordering = ["id"]
        verbose_name = _("风险事件")
        verbose_name_plural = _("风险事件")

    def __str__(self) -> str:
        return self.name


class ControlMeasure(models.Model):
    event = models.ForeignKey(RiskEvent, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(_("措施类别"), max_length=20, choices=MeasureKind.choices)
    description = models.CharField(_("管控措施"), max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_division = "event__risk_object__division"
    scope_enterprise = "event__risk_object__enterprise"

    class Meta:
        ordering = ["id"]
        verbose_name = _("管控措施")
        verbose_name_plural = _("管控措施")

    def __str__(self) -> str:
        return self.description


class CheckTask(models.Model):
    """A periodic check of a control measure; its next due check is a core Deadline."""

    measure = models.ForeignKey(ControlMeasure, on_delete=models.CASCADE, related_name="tasks")
    # Denormalised from measure → event → risk object: scoping and lists in one join.
    risk_object = models.ForeignKey(RiskObject, on_delete=models.CASCADE, related_name="tasks")
    name = models.CharField(_("排查任务"), max_length=200)
    cycle = models.CharField(_("周期"), max_length=12, choices=Cycle.choices)
    every = models.PositiveSmallIntegerField(_("周期倍数"), default=1)
    post = models.CharField(_("岗位"), max_length=20, choices=Post.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checklist = models.JSONField(_("检查表"), default=list, blank=True)
    next_due_at = models.DateTimeField(_("下次应检时间"), db_index=True)
    last_done_at = models.DateTimeField(_("上次检查"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_division = "risk_object__division"
    scope_enterprise = "risk_object__enterprise"

    class Meta:
        ordering = ["next_due_at", "id"]
        verbose_name = _("排查任务")
        verbose_name_plural = _("排查任务")
        constraints = [
            models.CheckConstraint(condition=models.Q(every__gte=1), name="risks_task_every_positive")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def overdue(self) -> bool:
        return self.is_active and self.next_due_at < timezone.now()


class CheckRecord(models.Model):
    """One check done (on a phone): checklist answers, photo, position and time."""

    task = models.ForeignKey(CheckTask, on_delete=models.CASCADE, related_name="records")
    risk_object = models.ForeignKey(RiskObject, on_delete=models.CASCADE, related_name="records")
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检查人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("检查时间"), default=timezone.now, db_index=True)
    due_at = models.DateTimeField(_("应检时间"))
    on_time = models.BooleanField(_("按时"), default=True)
    result = models.CharField(_("结果"), max_length=10, choices=CheckResult.choices)
    answers = models.JSONField(_("检查表结果"), default=dict, blank=True)
    note = models.TextField(_("情况说明"), blank=True)
    photo = models.FileField(_("照片"), upload_to="risks/checks/%Y/%m/", blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    # The hazard case a finding opened (in the hazard platform; also a core Link "opened_case").
    hazard_case_id = models.IntegerField(null=True, blank=True)
    hazard_case_number = models.CharField(_("隐患编号"), max_length=40, blank=True)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)
    # The device's token of a check recorded offline (the field app): a replay finds this row.
    client_token = models.UUIDField(_("客户端令牌"), null=True, blank=True, unique=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope_division = "risk_object__division"
    scope_enterprise = "risk_object__enterprise"

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")

    def __str__(self) -> str:
        return f"{self.task_id}@{self.checked_at:%Y-%m-%d %H:%M}"


class Assessment(models.Model):
    """One risk assessment (LEC or LS); the object's level is its latest; earlier rows are history."""

    risk_object = models.ForeignKey(RiskObject, on_delete=models.CASCADE, related_name="assessments")
    method = models.CharField(_("方法"), max_length=4, choices=Method.choices)
    inputs = models.JSONField(_("取值"))
    score = models.DecimalField(_("分值"), max_digits=10, decimal_places=2)
    band = models.CharField(_("危险程度"), max_length=20, blank=True)
    level = models.CharField(_("风险等级"), max_length=12, choices=Level.choices)
    table_version = models.CharField(_("依据版本"), max_length=30)
    note = models.TextField(_("说明"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评估人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assessed_at = models.DateTimeField(_("评估时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_division = "risk_object__division"
    scope_enterprise = "risk_object__enterprise"

    class Meta:
        ordering = ["-assessed_at", "-id"]
        verbose_name = _("风险评估")
        verbose_name_plural = _("风险评估")

    def __str__(self) -> str:
        return f"{self.method} {self.score} {self.level}"


class MajorHazardSource(models.Model):
    """A production or storage unit identified under GB 18218-2018, with its computation kept."""

    enterprise = models.ForeignKey(
        "org.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="major_hazard_sources",
    )
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("单元名称"), max_length=200)
    unit_kind = models.CharField(_("单元类型"), max_length=12, choices=UnitKind.choices)
    population = models.PositiveIntegerField(_("500米范围内人数"))
    population_on = models.DateField(_("人数统计日期"))
    principal_name = models.CharField(_("主要负责人"), max_length=50, blank=True)
    technical_name = models.CharField(_("技术负责人"), max_length=50, blank=True)
    operational_name = models.CharField(_("操作负责人"), max_length=50, blank=True)
    s_value = models.DecimalField(_("S 值"), max_digits=14, decimal_places=4)
    alpha = models.DecimalField(_("α"), max_digits=4, decimal_places=2)
    r_value = models.DecimalField(_("R 值"), max_digits=14, decimal_places=4, null=True, blank=True)
    grade = models.CharField(_("级别"), max_length=4, choices=MhsGrade.choices, db_index=True)
    computation = models.JSONField(_("计算过程"), default=dict)
    table_version = models.CharField(_("依据版本"), max_length=30)
    assessed_on = models.DateField(_("评估报告日期"))
    filing_state = models.CharField(_("备案状态"), max_length=14, choices=FilingState.choices)
    filing_due = models.DateField(_("备案期限"), null=True, blank=True)
    filed_at = models.DateTimeField(_("备案时间"), null=True, blank=True)
    filing_number = models.CharField(_("备案编号"), max_length=60, blank=True)
    # The unit in the dual-prevention chain that carries the responsible people's periodic checks.
    risk_object = models.OneToOneField(
        RiskObject,
        verbose_name=_("风险对象"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="major_hazard_source",
    )
    is_synthetic = models.BooleanField(_("合成数据"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"
    scope_enterprise = "enterprise"

    class Meta:
        ordering = ["grade", "-id"]
        verbose_name = _("重大危险源")
        verbose_name_plural = _("重大危险源")

    def __str__(self) -> str:
        return self.name

    @property
    def is_major(self) -> bool:
        return self.grade != MhsGrade.NONE


class MhsChemical(models.Model):
    source = models.ForeignKey(MajorHazardSource, on_delete=models.CASCADE, related_name="chemicals")
    chemical = models.CharField(_("物质名称"), max_length=100)
    category = models.CharField(_("危险性类别"), max_length=10, blank=True)
    quantity = models.DecimalField(_("最大存在量(吨)"), max_digits=14, decimal_places=4)
    critical_quantity = models.DecimalField(_("临界量(吨)"), max_digits=14, decimal_places=4)
    beta = models.DecimalField(_("校正系数β"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.chemical} {self.quantity}t"


class Commitment(models.Model):
    """An enterprise's daily safety commitment (安全风险研判与承诺公告), one per enterprise and day."""

    enterprise = models.ForeignKey(
        "org.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="commitments"
    )
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("日期"), db_index=True)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on_time = models.BooleanField(_("按时"), default=True)
    units_running = models.PositiveIntegerField(_("运行装置数"), default=0)
    units_stopped = models.PositiveIntegerField(_("停产装置数"), default=0)
    units_maintenance = models.PositiveIntegerField(_("检修装置数"), default=0)
    special_work = models.JSONField(_("特殊作业"), default=dict, blank=True)
    trial_production = models.BooleanField(_("有装置试生产或开停车"), default=False)
    sources_state = models.TextField(_("重大危险源状态"), blank=True)
    text = models.TextField(_("承诺内容"))
    signed_by = models.CharField(_("承诺人"), max_length=50)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"
    scope_enterprise = "enterprise"

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = _("安全承诺")
        verbose_name_plural = _("安全承诺")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "day"], name="risks_one_commitment_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.day}"

    def special_work_shown(self) -> list[tuple[str, int]]:
        """(label, count) of the special work under way: the stored codes in the reader's language."""
        labels = dict(SpecialWork.choices)
        return [(str(labels.get(code, code)), n) for code, n in (self.special_work or {}).items()]


class PublishedCommitment(Commitment):
    """The commitment as published (承诺公告): public announcements anyone may read on the portal."""

    scope_public = True

    class Meta:
        proxy = True
        verbose_name = _("承诺公告")
        verbose_name_plural = _("承诺公告")


class LifelineAsset(models.Model):
    """A city lifeline asset (城市生命线): a gas pipeline or station, a bridge, a water supply, drainage
    or heating main, a waterlogging point, a utility tunnel. Owned by a department and/or operated by
    an enterprise; a point (lat/lon) and, for lines, a GeoJSON LineString (WGS-84, as geo stores
    geometry). Its checks are a city risk point's chain (`risk_object`); its sensors are monitoring
    devices linked to it (core Link "monitored_by")."""

    kind = models.CharField(_("类型"), max_length=20, choices=LifelineKind.choices, db_index=True)
    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("主管部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    enterprise = models.ForeignKey(
        "org.Enterprise",
        verbose_name=_("运营单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lifeline_assets",
    )
    lat = models.FloatField(_("纬度"))
    lon = models.FloatField(_("经度"))
    geometry = models.JSONField(_("线路走向"), null=True, blank=True)
    risk_object = models.OneToOneField(
        RiskObject,
        verbose_name=_("风险对象"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lifeline_asset",
    )
    is_synthetic = models.BooleanField(_("合成数据"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"
    scope_enterprise = "enterprise"

    class Meta:
        ordering = ["kind", "name", "id"]
        verbose_name = _("生命线设施")
        verbose_name_plural = _("生命线设施")

    def __str__(self) -> str:
        return self.name

    @property
    def colour(self) -> str:
        from .choices import LIFELINE_COLOURS

        return LIFELINE_COLOURS.get(self.kind, "grey")
