"""Rescue forces (teams, members, equipment, warehouses, experts, shelters), mobilisations,
drills, road networks and the analysis runs (coverage, siting).

Visibility: the directory of rescue forces is shared city-wide among government staff (资源共享 —
a duty officer in 连南 must see 连州's teams to ask for them), while members' personal details,
mobilisations, drills and runs follow the division subtree of the person. Shelters are public.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.core.querysets import NOTHING, ScopedQuerySet
from pingan.geo.choices import Level

from .choices import (
    EquipmentKind,
    ExerciseKind,
    MobilisationState,
    NetworkSource,
    RunStatus,
    SitingMethod,
    Specialty,
    StockMovementKind,
    TeamKind,
    TeamStatus,
)


def _staff_directory_q(user: Any) -> models.Q:
    """Every government role sees the whole directory; enterprise users and the public see none."""
    return models.Q() if user.is_staff_role else NOTHING


def _area_q(path: str, user: Any) -> models.Q:
    if not user.is_staff_role or not user.scope_path:
        return NOTHING
    return models.Q(**{f"{path}__path__startswith": user.scope_path})


class Team(models.Model):
    code = models.CharField(_("编号"), max_length=40, unique=True)
    name = models.CharField(_("队伍名称"), max_length=120)
    kind = models.CharField(_("队伍类型"), max_length=20, choices=TeamKind.choices)
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("驻地区划"), on_delete=models.PROTECT, related_name="rescue_teams"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("主管部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rescue_teams",
    )
    address = models.CharField(_("驻地地址"), max_length=200, blank=True)
    lat = models.FloatField(_("纬度"))
    lon = models.FloatField(_("经度"))
    headcount = models.PositiveIntegerField(_("人数"), default=0)
    capabilities = models.JSONField(_("救援能力"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=TeamStatus.choices, default=TeamStatus.READY)
    leader = models.CharField(_("负责人"), max_length=50, blank=True)
    phone = models.CharField(_("值班电话"), max_length=40, blank=True)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"

    class Meta:
        ordering = ["division__code", "name"]
        indexes = [models.Index(fields=["lat", "lon"], name="rescue_team_latlon")]
        verbose_name = _("救援队伍")
        verbose_name_plural = _("救援队伍")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, user: Any) -> models.Q:
        return _staff_directory_q(user)

    @property
    def status_colour(self) -> str:
        from pingan.core.choices import colour_of

        return colour_of(TeamStatus, self.status)

    def clean(self) -> None:
        from .choices import Capability

        bad = [c for c in self.capabilities or [] if c not in Capability.values]
        if bad:
            raise ValidationError(
                {"capabilities": _("未知的救援能力:%(v)s") % {"v": ", ".join(map(str, bad))}}
            )


class Member(models.Model):
    team = models.ForeignKey(Team, verbose_name=_("队伍"), on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=50)
    position = models.CharField(_("职务"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    certified = models.BooleanField(_("持证"), default=False)
    is_active = models.BooleanField(_("在队"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "team__division"

    class Meta:
        ordering = ["team", "name"]
        verbose_name = _("队员")
        verbose_name_plural = _("队员")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, user: Any) -> models.Q:
        return _area_q("team__division", user)


class Equipment(models.Model):
    team = models.ForeignKey(Team, verbose_name=_("队伍"), on_delete=models.CASCADE, related_name="equipment")
    kind = models.CharField(_("类别"), max_length=20, choices=EquipmentKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    plate = models.CharField(_("车牌/编号"), max_length=30, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "team__division"

    class Meta:
        ordering = ["team", "kind", "name"]
        verbose_name = _("装备车辆")
        verbose_name_plural = _("装备车辆")

    def __str__(self) -> str:
        return f"{self.name} ×{self.quantity}"

    @classmethod
    def scope_q(cls, user: Any) -> models.Q:
        return _staff_directory_q(user)


class Warehouse(models.Model):
    name = models.CharField(_("仓库名称"), max_length=120)
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="rescue_warehouses"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("管理部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lat = models.FloatField(_("纬度"))
    lon = models.FloatField(_("经度"))
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"

    class Meta:
        ordering = ["division__code", "name"]
        verbose_name = _("物资仓库")
        verbose_name_plural = _("物资仓库")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, user: Any) -> models.Q:
        return _staff_directory_q(user)


class StockItem(models.Model):
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("仓库"), on_delete=models.CASCADE, related_name="stock"
    )
    name = models.CharField(_("物资"), max_length=100)
    unit = models.CharField(_("单位"), max_length=10, default="件")
    quantity = models.PositiveIntegerField(_("数量"), default=0)
    # Below this the warehouse is warned (储备下限); 0 means no warning.
    min_quantity = models.PositiveIntegerField(_("储备下限"), default=0)

    # Where its audit events belong (no manager of its own: it is read through its warehouse).
    scope_division = "warehouse__division"

    class Meta:
        ordering = ["warehouse", "name"]
        constraints = [models.UniqueConstraint(fields=["warehouse", "name"], name="rescue_stock_unique_item")]
        verbose_name = _("库存物资")
        verbose_name_plural = _("库存物资")

    def __str__(self) -> str:
        return f"{self.name} {self.quantity}{self.unit}"

    @property
    def is_low(self) -> bool:
        return self.min_quantity > 0 and self.quantity < self.min_quantity


class StockMovement(models.Model):
    """One issue, return or restock of a stock item (出库、归还、补库), with the balance after it."""

    item = models.ForeignKey(
        StockItem, verbose_name=_("库存物资"), on_delete=models.CASCADE, related_name="movements"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=StockMovementKind.choices)
    quantity = models.PositiveIntegerField(_("数量"))
    balance = models.PositiveIntegerField(_("结存"))
    note = models.CharField(_("用途/说明"), max_length=200, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("出入库记录")
        verbose_name_plural = _("出入库记录")

    def __str__(self) -> str:
        return f"{self.item.name} {self.get_kind_display()} {self.quantity}"


class Expert(models.Model):
    name = models.CharField(_("姓名"), max_length=50)
    specialties = models.JSONField(_("专业领域"), default=list)
    affiliation = models.CharField(_("工作单位"), max_length=120, blank=True)
    title = models.CharField(_("职称"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    available = models.BooleanField(_("可调用"), default=True)
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="rescue_experts"
    )
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"

    class Meta:
        ordering = ["division__code", "name"]
        verbose_name = _("专家")
        verbose_name_plural = _("专家")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, user: Any) -> models.Q:
        return _staff_directory_q(user)

    def clean(self) -> None:
        bad = [s for s in self.specialties or [] if s not in Specialty.values]
        if bad:
            raise ValidationError(
                {"specialties": _("未知的专业领域:%(v)s") % {"v": ", ".join(map(str, bad))}}
            )


class Shelter(models.Model):
    """An emergency shelter (应急避难场所): public information."""

    name = models.CharField(_("名称"), max_length=120)
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="rescue_shelters"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lat = models.FloatField(_("纬度"))
    lon = models.FloatField(_("经度"))
    capacity = models.PositiveIntegerField(_("容纳人数"))
    area_m2 = models.PositiveIntegerField(_("面积(平方米)"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"
    scope_public = True

    class Meta:
        ordering = ["division__code", "name"]
        verbose_name = _("避难场所")
        verbose_name_plural = _("避难场所")

    def __str__(self) -> str:
        return self.name


class Mobilisation(models.Model):
    """A request for a team to act on an incident, and where it stands."""

    team = models.ForeignKey(
        Team, verbose_name=_("队伍"), on_delete=models.PROTECT, related_name="mobilisations"
    )
    incident = models.ForeignKey(
        "emergency.Incident",
        verbose_name=_("关联事件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rescue_mobilisations",
    )
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("事发区划"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("事件"), max_length=200)
    lat = models.FloatField(_("事发纬度"))
    lon = models.FloatField(_("事发经度"))
    capabilities = models.JSONField(_("所需能力"), default=list, blank=True)
    state = models.CharField(
        _("状态"),
        max_length=20,
        choices=MobilisationState.choices,
        default=MobilisationState.REQUESTED,
        db_index=True,
    )
    eta_minutes = models.FloatField(_("预计到达(分钟)"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("请求人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("请求时间"), default=timezone.now)
    state_changed_at = models.DateTimeField(_("状态变更时间"), default=timezone.now)
    state_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("变更人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One open mobilisation of a team for the same event at a time (re-requesting is a no-op).
            models.UniqueConstraint(
                fields=["team", "title"],
                name="rescue_one_open_mobilisation",
                condition=~models.Q(state__in=["stood_down", "declined"]),
            ),
        ]
        verbose_name = _("队伍调用")
        verbose_name_plural = _("队伍调用")

    def __str__(self) -> str:
        return f"{self.team} → {self.title}"

    @classmethod
    def scope_q(cls, user: Any) -> models.Q:
        if not user.is_staff_role or not user.scope_path:
            return NOTHING
        return models.Q(division__path__startswith=user.scope_path) | models.Q(
            team__division__path__startswith=user.scope_path
        )


class Exercise(models.Model):
    """A drill or a training (演练、培训)."""

    kind = models.CharField(_("类别"), max_length=10, choices=ExerciseKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    date = models.DateField(_("日期"))
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    teams = models.ManyToManyField(Team, verbose_name=_("参加队伍"), blank=True, related_name="exercises")
    participants = models.PositiveIntegerField(_("参加人数"), default=0)
    evaluation = models.TextField(_("评估"), blank=True)
    score = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("演练培训")
        verbose_name_plural = _("演练培训")

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_q(cls, user: Any) -> models.Q:
        return _area_q("division", user)


class ExercisePhoto(models.Model):
    """A photo of a drill or a training (现场照片)."""

    exercise = models.ForeignKey(
        Exercise, verbose_name=_("演练培训"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(_("照片"), upload_to="rescue/exercises/%Y/%m/")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("演练照片")
        verbose_name_plural = _("演练照片")

    def __str__(self) -> str:
        return self.image.name


class RoadNetwork(models.Model):
    """One version of the road network: the arrays live in an .npz file under MEDIA_ROOT."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    name = models.CharField(_("名称"), max_length=120)
    source = models.CharField(_("来源"), max_length=20, choices=NetworkSource.choices)
    source_file = models.CharField(_("源文件"), max_length=255, blank=True)
    path = models.CharField(_("数据文件"), max_length=255)
    nodes = models.PositiveIntegerField(_("节点数"))
    edges = models.PositiveIntegerField(_("路段数"))
    dropped_nodes = models.PositiveIntegerField(_("舍弃的节点(非最大连通部分)"), default=0)
    bbox = models.JSONField(_("范围"), default=list)
    speeds = models.JSONField(_("分级车速(km/h)"), default=dict)
    mountain_factor = models.FloatField(_("山区车速系数"), default=1.0)
    checksum = models.CharField(max_length=64)
    is_active = models.BooleanField(_("当前使用"), default=False)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_division = None

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="rescue_one_active_network"
            )
        ]
        verbose_name = _("路网")
        verbose_name_plural = _("路网")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @classmethod
    def scope_q(cls, user: Any) -> models.Q:
        return _staff_directory_q(user)


class AnalysisRun(models.Model):
    """Common part of a coverage or siting run: a huey task fills progress and results."""

    division = models.ForeignKey(
        "geo.Division", verbose_name=_("范围"), on_delete=models.PROTECT, related_name="+"
    )
    network = models.ForeignKey(
        RoadNetwork, verbose_name=_("路网"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    stage = models.CharField(_("阶段"), max_length=100, blank=True)
    error = models.TextField(_("错误"), blank=True)
    demand_source = models.CharField(_("需求点来源"), max_length=20, blank=True)
    results = models.JSONField(_("结果"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    # The computing worker beats every RUN_LIMITS["heartbeat_seconds"]; a run whose beat stopped is
    # recovered by tasks.reconcile_runs. `attempts` counts claims, so a late worker of an earlier
    # attempt cannot overwrite the outcome of a later one.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Failures the platform words itself are kept as a code and values, so that each reader sees
    # them in their own language (`error` keeps the text as written, in the worker's language).
    error_code = models.CharField(max_length=20, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    # The engine reports its stage as a code; people see these words.
    STAGE_LABELS = {
        "demand": _("准备需求点"),
        "snap": _("匹配路网"),
        "dijkstra": _("计算行程时间"),
        "travel times": _("计算行程时间"),
        "aggregate": _("汇总"),
        "solve": _("求解"),
        "done": _("完成"),
    }

    @property
    def stage_label(self) -> str:
        return str(self.STAGE_LABELS.get(self.stage, self.stage))

    ERROR_MESSAGES = {
        "unexpected": _("计算意外出错:%(detail)s"),
        "stuck": _("计算中断:超过 %(m)d 分钟没有进展,已尝试 %(n)d 次。请重新发起。"),
    }

    @property
    def error_text(self) -> str:
        """The failure in the reader's language when the platform worded it, else as written."""
        template = self.ERROR_MESSAGES.get(self.error_code)
        if template is None:
            return self.error
        try:
            return str(template) % self.error_params
        except (KeyError, TypeError, ValueError):
            return self.error

    @classmethod
    def scope_q(cls, user: Any) -> models.Q:
        # A run over the whole city is for everyone on the staff; a district's run for its area.
        if not user.is_staff_role:
            return NOTHING
        q = models.Q(division__level=Level.CITY)
        if user.scope_path:
            q |= models.Q(division__path__startswith=user.scope_path)
        return q


class CoverageRun(AnalysisRun):
    thresholds = models.JSONField(_("时间阈值(分钟)"), default=list)
    capabilities = models.JSONField(_("所需能力"), default=list, blank=True)

    class Meta(AnalysisRun.Meta):
        verbose_name = _("覆盖分析")
        verbose_name_plural = _("覆盖分析")

    def __str__(self) -> str:
        return f"#{self.pk} {self.created_at:%Y-%m-%d %H:%M}"


class SitingRun(AnalysisRun):
    method = models.CharField(_("模型"), max_length=10, choices=SitingMethod.choices)
    p = models.PositiveSmallIntegerField(_("新增站点数"))
    threshold = models.PositiveSmallIntegerField(_("覆盖时间(分钟)"), default=30)
    mountain_only = models.BooleanField(
        _("只计山区需求"), default=False, help_text=_("只按连州、连山、连南、阳山的人口选址,补山区短板")
    )

    class Meta(AnalysisRun.Meta):
        verbose_name = _("选址分析")
        verbose_name_plural = _("选址分析")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_method_display()} p={self.p}"
