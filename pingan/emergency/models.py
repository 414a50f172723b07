"""Duty roster, incidents, the statutory reporting chain, response levels and 三防 responses.

Workflow lives in the actions package; the legal rules (grades, deadlines, windows) in rules.py.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.core.querysets import NOTHING, ScopedQuerySet

from .choices import (
    AccidentKind,
    Category,
    ChainLevel,
    Finding,
    Grade,
    IncidentState,
    PostLevel,
    ReportKind,
    ReportState,
    ResponseLevel,
    ResponseStep,
    SanfangKind,
    ShiftRole,
    Source,
    SubType,
    SwapState,
)

# ---------------------------------------------------------------------------------------------
# Duty roster
# ---------------------------------------------------------------------------------------------


def post_scope_q(user: Any, path_field: str) -> Q:
    from pingan.org.choices import STAFF_ROLES

    if user.role not in STAFF_ROLES or not user.scope_path:
        return NOTHING
    path = user.scope_path
    above = [path[:i] for i in range(1, len(path))]
    return Q(**{f"{path_field}__startswith": path}) | Q(**{f"{path_field}__in": above})


class DutyPost(models.Model):
    """A 24-hour duty post (值班室) of a department at some level."""

    name = models.CharField(_("名称"), max_length=100)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="duty_posts"
    )
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("辖区"), on_delete=models.PROTECT, related_name="duty_posts"
    )
    level = models.CharField(_("层级"), max_length=10, choices=PostLevel.choices)
    phone = models.CharField(_("值班电话"), max_length=40, blank=True)
    min_officers = models.PositiveSmallIntegerField(_("每班最少值班员"), default=1)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"

    class Meta:
        ordering = ["division__code", "name"]
        verbose_name = _("值班岗位")
        verbose_name_plural = _("值班岗位")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        """Posts of one's area and of the levels above it (a town must find the district's and the
        city's duty room); not another district's."""
        return post_scope_q(user, "division__path")


class RotationTemplate(models.Model):
    """A rotation that generates shifts: a cycle of crews, one shift per `shift_hours`."""

    post = models.ForeignKey(
        DutyPost, verbose_name=_("值班岗位"), on_delete=models.CASCADE, related_name="rotations"
    )
    name = models.CharField(_("名称"), max_length=100)
    starts_on = models.DateField(_("起始日期"))
    start_time = models.TimeField(_("交接班时间"), default="08:30")
    shift_hours = models.PositiveSmallIntegerField(_("每班时长(小时)"), default=24)
    # [{"leader": user_id, "officers": [user_id, ...]}, ...] taken in turn
    crews = models.JSONField(_("班组"), default=list)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "post__division"

    class Meta:
        ordering = ["post", "name"]
        verbose_name = _("轮班模板")
        verbose_name_plural = _("轮班模板")

    def __str__(self) -> str:
        return f"{self.post} · {self.name}"


class Shift(models.Model):
    post = models.ForeignKey(
        DutyPost, verbose_name=_("值班岗位"), on_delete=models.CASCADE, related_name="shifts"
    )
    starts_at = models.DateTimeField(_("开始"), db_index=True)
    ends_at = models.DateTimeField(_("结束"), db_index=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("带班领导"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_shifts",
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("值班员"), blank=True, related_name="duty_shifts"
    )
    rotation = models.ForeignKey(
        RotationTemplate,
        verbose_name=_("轮班模板"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shifts",
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "post__division"

    class Meta:
        ordering = ["post", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["post", "starts_at"], name="emergency_shift_unique_start"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="emergency_shift_positive"
            ),
        ]
        verbose_name = _("班次")
        verbose_name_plural = _("班次")

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.post} {local:%Y-%m-%d %H:%M}"

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return post_scope_q(user, "post__division__path")


class ShiftSwap(models.Model):
    """A swap or override of one person on a shift; takes effect when approved."""

    shift = models.ForeignKey(Shift, verbose_name=_("班次"), on_delete=models.CASCADE, related_name="swaps")
    role = models.CharField(
        _("岗位角色"), max_length=10, choices=ShiftRole.choices, default=ShiftRole.OFFICER
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("原值班人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("替班人"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("理由"), max_length=200, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=SwapState.choices, default=SwapState.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "shift__post__division"

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("换班申请")
        verbose_name_plural = _("换班申请")

    def __str__(self) -> str:
        return f"{self.shift} {self.from_user} → {self.to_user}"


class Handover(models.Model):
    """交接班记录: who handed over to whom, when, and the matters still open."""

    post = models.ForeignKey(
        DutyPost, verbose_name=_("值班岗位"), on_delete=models.CASCADE, related_name="handovers"
    )
    from_shift = models.ForeignKey(
        Shift, verbose_name=_("交班班次"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_shift = models.ForeignKey(
        Shift, verbose_name=_("接班班次"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("交班人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接班人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("交接时间"), default=timezone.now)
    open_matters = models.TextField(_("未结事项"), blank=True)
    notes = models.TextField(_("其他"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "post__division"

    class Meta:
        ordering = ["-at"]
        verbose_name = _("交接班记录")
        verbose_name_plural = _("交接班记录")

    def __str__(self) -> str:
        return f"{self.post} {timezone.localtime(self.at):%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------------------------------------
# Reporting bodies and incidents
# ---------------------------------------------------------------------------------------------


class ReportingBody(models.Model):
    """A level of the statutory reporting chain: a county or city department on the platform, or a
    receiver above it (广东省应急管理厅, 应急管理部, 国务院) that the platform only sends to.

    Bodies above the city have no division and no duty post here: the report to them is a task of
    the level below (the city's duty post records that it was sent).
    """

    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=ChainLevel.choices)
    division = models.ForeignKey(
        "geo.Division",
        verbose_name=_("辖区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reporting_bodies",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reporting_bodies",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    contact = models.CharField(_("报送方式"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_public = False

    class Meta:
        ordering = ["level", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "division"],
                condition=Q(division__isnull=False),
                name="emergency_body_one_per_division",
            ),
        ]
        verbose_name = _("报送单位")
        verbose_name_plural = _("报送单位")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        from pingan.org.choices import STAFF_ROLES

        return Q() if user.role in STAFF_ROLES else NOTHING


class Incident(models.Model):
    """An emergency or a production-safety accident, with the contents of 国务院令第493号 §12."""

    number = models.CharField(_("编号"), max_length=32, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices, default=Category.ACCIDENT)
    subtype = models.CharField(_("子类"), max_length=24, choices=SubType.choices, default=SubType.WORKPLACE)
    accident_kind = models.CharField(
        _("事故类型"), max_length=16, choices=AccidentKind.choices, default=AccidentKind.GENERAL
    )
    is_production_safety = models.BooleanField(
        _("生产安全事故"), default=True, help_text=_("按伤亡和损失自动定级;其他突发事件由人工定级")
    )
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.PHONE)
    source_note = models.CharField(_("来源说明"), max_length=200, blank=True)
    caller_name = models.CharField(_("报告人"), max_length=50, blank=True)
    caller_phone = models.CharField(_("报告人电话"), max_length=40, blank=True)
    # §12 contents
    unit_name = models.CharField(_("事发单位"), max_length=200, blank=True)
    unit_overview = models.TextField(_("单位概况"), blank=True)
    enterprise = models.ForeignKey(
        "org.Enterprise",
        verbose_name=_("生产经营单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incidents",
    )
    occurred_at = models.DateTimeField(_("发生时间"))
    place = models.CharField(_("地点"), max_length=300, blank=True)
    scene = models.TextField(_("现场情况"), blank=True)
    course = models.TextField(_("事件经过"), blank=True)
    deaths = models.PositiveIntegerField(_("死亡人数"), default=0)
    serious_injuries = models.PositiveIntegerField(_("重伤人数(含急性工业中毒)"), default=0)
    minor_injuries = models.PositiveIntegerField(_("轻伤人数"), default=0)
    missing = models.PositiveIntegerField(_("失踪人数"), default=0)
    trapped = models.PositiveIntegerField(_("被困人数"), default=0)
    direct_loss = models.DecimalField(
        _("直接经济损失初步估计(元)"), max_digits=16, decimal_places=2, default=0
    )
    measures = models.TextField(_("已采取的措施"), blank=True)
    other_matters = models.TextField(_("其他情况"), blank=True)
    # place on the map
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("事发区划"), on_delete=models.PROTECT, related_name="incidents"
    )
    # who holds it: the body that took it in (a county-level duty room for a unit's report)
    owner_body = models.ForeignKey(
        ReportingBody,
        verbose_name=_("接报单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_incidents",
    )
    unit_learned_at = models.DateTimeField(_("单位负责人接报时间"), null=True, blank=True)
    received_at = models.DateTimeField(_("接报时间"), default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # grading
    grade = models.CharField(_("等级"), max_length=20, choices=Grade.choices, blank=True)
    grade_basis = models.CharField(_("定级依据"), max_length=200, blank=True)
    # response
    state = models.CharField(
        _("状态"), max_length=10, choices=IncidentState.choices, default=IncidentState.OPEN
    )
    response_level = models.CharField(_("响应级别"), max_length=2, choices=ResponseLevel.choices, blank=True)
    summary = models.TextField(_("总结评估"), blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["state", "occurred_at"], name="incident_state_time"),
            models.Index(fields=["lat", "lon"], name="incident_latlon"),
        ]
        verbose_name = _("突发事件")
        verbose_name_plural = _("突发事件")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("emergency:incident", args=[self.pk])

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        """A county or town sees the incidents of its area. A level above the county (the city)
        sees its own incidents and those reported to it — not a district's before it reports."""
        from pingan.org.choices import Role

        if user.role == Role.ENTERPRISE:
            return Q(enterprise=user.enterprise_id) if user.enterprise_id else NOTHING
        if not user.scope_path or user.division_id is None:
            return NOTHING
        from pingan.geo.choices import Level

        in_area = Q(division__path__startswith=user.scope_path)
        if user.division.level != Level.CITY:
            return in_area
        # reported to it, or on its chain (a hop it must send, or one that skipped it)
        reported = Exists(
            Report.objects.filter(incident=OuterRef("pk")).filter(
                Q(receiver__division=user.division_id) | Q(sender__division=user.division_id)
            )
        )
        return in_area & (Q(owner_body__division=user.division_id) | reported)

    @property
    def grade_colour(self) -> str:
        from pingan.core.choices import colour_of

        return colour_of(Grade, self.grade) if self.grade else "grey"

    @property
    def response_colour(self) -> str:
        from pingan.core.choices import colour_of

        return colour_of(ResponseLevel, self.response_level) if self.response_level else "grey"

    @property
    def casualties_total(self) -> int:
        return self.deaths + self.serious_injuries + self.minor_injuries + self.missing


def _scope_via_incident(cls: type, user: Any) -> Q:
    """Grade changes, supplements, reports, findings and response changes are visible exactly when
    their incident is."""
    return Q(incident__in=Incident.objects.visible_to(user).values("pk"))


class GradeChange(models.Model):
    """Every (re)grading of an incident: shown on the duty consoles of every level concerned."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="grade_changes"
    )
    from_grade = models.CharField(_("原等级"), max_length=20, choices=Grade.choices, blank=True)
    to_grade = models.CharField(_("新等级"), max_length=20, choices=Grade.choices, blank=True)
    counts = models.JSONField(_("定级数据"), default=dict)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("定级变更")
        verbose_name_plural = _("定级变更")

    def __str__(self) -> str:
        return f"{self.incident.number}: {self.from_grade} → {self.to_grade}"

    scope_q = classmethod(_scope_via_incident)


class Supplement(models.Model):
    """续报/补报: a change of counts or facts within the §13 window."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="supplements"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    effective_on = models.DateField(_("变化发生日期"))
    in_window = models.BooleanField(_("在补报期限内"), default=True)
    before = models.JSONField(_("变更前"), default=dict)
    after = models.JSONField(_("变更后"), default=dict)
    text = models.TextField(_("续报内容"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报告人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("续报")
        verbose_name_plural = _("续报")

    def __str__(self) -> str:
        return f"{self.incident.number} 续报 {timezone.localtime(self.at):%m-%d %H:%M}"

    scope_q = classmethod(_scope_via_incident)


class Report(models.Model):
    """One hop of the reporting chain: `sender` reports the incident to `receiver` by `due_at`.

    The task is the sender's (its duty post is notified and records the send); when sent, the
    receiver's duty post receives it and its own hop up (if the grade requires one) starts.
    """

    incident = models.ForeignKey(
        Incident, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="reports"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=ReportKind.choices, default=ReportKind.INITIAL)
    supplement = models.ForeignKey(
        Supplement,
        verbose_name=_("续报"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
    )
    sender = models.ForeignKey(
        ReportingBody,
        verbose_name=_("报送单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sent_reports",
        help_text=_("空:事发单位"),
    )
    receiver = models.ForeignKey(
        ReportingBody, verbose_name=_("接收单位"), on_delete=models.PROTECT, related_name="received_reports"
    )
    sender_level = models.CharField(_("报送层级"), max_length=16, choices=ChainLevel.choices)
    receiver_level = models.CharField(_("接收层级"), max_length=16, choices=ChainLevel.choices)
    predecessor = models.ForeignKey(
        "self",
        verbose_name=_("上一环"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="successors",
    )
    skipped_levels = models.JSONField(_("越级跳过的层级"), default=list, blank=True)
    basis_at = models.DateTimeField(_("起算时间"))
    due_at = models.DateTimeField(_("报送期限"), db_index=True)
    state = models.CharField(_("状态"), max_length=10, choices=ReportState.choices, default=ReportState.DUE)
    sent_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(_("报送方式"), max_length=40, blank=True)
    received_by_name = models.CharField(_("接收人"), max_length=50, blank=True)
    # 签收: the receiving duty post confirms it has the report; the sender sees when and by whom.
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_late = models.BooleanField(_("迟报"), default=False)
    overdue_flagged_at = models.DateTimeField(_("超时标记时间"), null=True, blank=True)
    content = models.JSONField(_("报告内容"), default=dict, blank=True)
    grade_at_send = models.CharField(_("报送时等级"), max_length=20, choices=Grade.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["state", "due_at"], name="report_state_due")]
        verbose_name = _("信息报告")
        verbose_name_plural = _("信息报告")

    def __str__(self) -> str:
        return f"{self.incident.number} {self.get_kind_display()} → {self.receiver}"

    scope_q = classmethod(_scope_via_incident)

    def is_overdue(self, now: Any = None) -> bool:
        now = now or timezone.now()
        if self.state == ReportState.CANCELLED:
            return False
        return (self.sent_at or now) > self.due_at


class ReportFinding(models.Model):
    """A finding on the reporting (迟报 by the system; 漏报/谎报/瞒报 recorded by a person)."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="findings"
    )
    report = models.ForeignKey(
        Report,
        verbose_name=_("报告"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="findings",
    )
    kind = models.CharField(_("认定"), max_length=12, choices=Finding.choices)
    note = models.TextField(_("说明"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("认定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        verbose_name = _("报送问题认定")
        verbose_name_plural = _("报送问题认定")

    def __str__(self) -> str:
        return f"{self.incident.number} {self.get_kind_display()}"

    scope_q = classmethod(_scope_via_incident)


class ResponseChange(models.Model):
    """An emergency response level activated, raised, lowered or ended."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="response_changes"
    )
    step = models.CharField(_("动作"), max_length=10, choices=ResponseStep.choices)
    from_level = models.CharField(_("原级别"), max_length=2, choices=ResponseLevel.choices, blank=True)
    to_level = models.CharField(_("新级别"), max_length=2, choices=ResponseLevel.choices, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("响应级别变更")
        verbose_name_plural = _("响应级别变更")

    def __str__(self) -> str:
        return f"{self.incident.number} {self.get_step_display()} {self.to_level}"

    scope_q = classmethod(_scope_via_incident)


# ---------------------------------------------------------------------------------------------
# 三防 (flood, wind, drought, freeze) responses
# ---------------------------------------------------------------------------------------------


class SanfangResponse(models.Model):
    """A 三防 emergency response of a headquarters; while active each member unit reports twice a day."""

    kind = models.CharField(_("类型"), max_length=10, choices=SanfangKind.choices)
    level = models.CharField(_("级别"), max_length=2, choices=ResponseLevel.choices)
    headquarters = models.ForeignKey(
        "org.Department",
        verbose_name=_("三防指挥部"),
        on_delete=models.PROTECT,
        related_name="sanfang_responses",
    )
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="sanfang_responses"
    )
    members = models.ManyToManyField(
        "org.Department", verbose_name=_("成员单位"), blank=True, related_name="sanfang_memberships"
    )
    started_at = models.DateTimeField(_("启动时间"), default=timezone.now)
    ended_at = models.DateTimeField(_("终止时间"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("启动人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("三防应急响应")
        verbose_name_plural = _("三防应急响应")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}{self.get_level_display()}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        own = Q(division__path__startswith=user.scope_path) if user.scope_path else NOTHING
        member = Q(members=user.department_id) if user.department_id else NOTHING
        return Q(pk__in=cls.objects.filter(own | member).values("pk"))


class SanfangReport(models.Model):
    """A member unit's written report for one slot (before 09:00 or before 16:00)."""

    response = models.ForeignKey(
        SanfangResponse, verbose_name=_("三防响应"), on_delete=models.CASCADE, related_name="member_reports"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("成员单位"), on_delete=models.PROTECT, related_name="sanfang_reports"
    )
    due_at = models.DateTimeField(_("报送期限"), db_index=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("报告内容"), blank=True)
    is_late = models.BooleanField(_("迟报"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "department"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "department", "due_at"], name="sanfang_report_one_per_slot"
            ),
        ]
        verbose_name = _("三防成员单位报告")
        verbose_name_plural = _("三防成员单位报告")

    def __str__(self) -> str:
        return f"{self.department} {timezone.localtime(self.due_at):%m-%d %H:%M}"

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        own = Q(department=user.department_id) if user.department_id else NOTHING
        return own | Q(response__in=SanfangResponse.objects.visible_to(user).values("pk"))
