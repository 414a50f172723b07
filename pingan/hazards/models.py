"""Hazard cases (事故隐患) and what hangs off them: tasks of the departments, comments, photos,
the MAJOR hazard's plan, report and resume review, subscriptions and the reporter's feedback.

No workflow here: every change goes through actions.py.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from pingan.core.querysets import NOTHING, ScopedQuerySet

from . import rules
from .choices import (
    OPEN_STATES,
    PUBLIC_SOURCES,
    FeedbackAnswer,
    Grade,
    NoticeKind,
    PhotoKind,
    ReviewState,
    Source,
    State,
    TaskRole,
    TaskState,
    TimeUnit,
)


class Category(models.Model):
    """A node of the configurable category tree (fire, hazardous chemicals, …) with its time limits.

    Time limits are [U] (docs/domain §7): stored per category, in working days or working hours; blank
    means the default of rules.DEFAULT_LIMITS.
    """

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    description = models.CharField(_("说明"), max_length=300, blank=True)
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)
    limit_general = models.FloatField(_("一般隐患整改时限"), null=True, blank=True)
    limit_major = models.FloatField(_("重大隐患整改时限"), null=True, blank=True)
    limit_unit = models.CharField(
        _("时限单位"), max_length=20, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )
    limit_source = models.CharField(
        _("时限依据"), max_length=200, default="[U] 可配置 configurable", blank=True
    )

    objects = ScopedQuerySet.as_manager()
    scope_public = True  # reference data: the public report form lists it

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("隐患类别")
        verbose_name_plural = _("隐患类别")

    def __str__(self) -> str:
        # Categories are data, named in Chinese by the administrators; an English page shows the
        # English name where one is given (QA: English mode showed 疏散通道堵塞).
        if self.name_en and translation.get_language() == "en":
            return self.name_en
        return self.name

    def limit_for(self, grade: str) -> rules.TimeLimit | None:
        amount = self.limit_major if grade == Grade.MAJOR else self.limit_general
        if amount is None:
            return None
        return rules.TimeLimit(amount, self.limit_unit, self.limit_source or "[U]")


class RoutingRule(models.Model):
    """Category × division level → the lead sector and the co-handling sectors.

    Resolved to the departments of those sectors in the case's town, district or city (the level
    says which). A rule on a parent category applies to its children unless they have their own.
    An enterprise's or site's supervising department wins over the area rule (actions.route_case).
    """

    LEVELS = [("town", _("乡镇街道")), ("district", _("区县")), ("city", _("市"))]

    category = models.ForeignKey(
        Category, verbose_name=_("类别"), on_delete=models.CASCADE, related_name="routes"
    )
    level = models.CharField(_("区划层级"), max_length=10, choices=LEVELS, default="district")
    grade = models.CharField(
        _("等级"), max_length=10, choices=Grade.choices, blank=True, help_text=_("留空:适用于所有等级")
    )
    lead_sector = models.CharField(_("牵头行业部门"), max_length=30)
    co_sectors = models.JSONField(_("协办行业部门"), default=list, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["category__order", "category__code", "level", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["category", "level", "grade"], name="hazard_route_unique")
        ]
        verbose_name = _("派遣规则")
        verbose_name_plural = _("派遣规则")

    def __str__(self) -> str:
        return f"{self.category} · {self.get_level_display()} → {self.lead_sector}"

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return Q() if user.is_staff_role else NOTHING


class CaseQuerySet(ScopedQuerySet):
    def open(self) -> CaseQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, now: Any = None) -> CaseQuerySet:
        return self.filter(state__in=OPEN_STATES, due_at__lt=now or timezone.now())

    def for_list(self) -> CaseQuerySet:
        # Not the divisions' boundaries (GeoJSON, kilobytes each): a list row shows their names.
        return self.select_related("category", "division", "district", "lead_department").defer(
            "division__geometry", "district__geometry"
        )

    def publicly_listed(self) -> CaseQuerySet:
        """The one definition of "publicly listed" (Open311 lists, public photo URLs): what the public
        told us, except duplicates merged into another case (the survivor is listed instead)."""
        return self.filter(source__in=PUBLIC_SOURCES).exclude(state=State.MERGED)


class HazardCase(models.Model):
    """One hazard, from intake to closure (docs/domain §1 lifecycle)."""

    tracking_code = models.CharField(
        _("查询码"), max_length=16, unique=True, default=rules.new_tracking_code, editable=False
    )
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("描述"), blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="cases"
    )
    grade = models.CharField(_("等级"), max_length=10, choices=Grade.choices, default=Grade.GENERAL)
    state = models.CharField(_("状态"), max_length=24, choices=State.choices, default=State.SUBMITTED)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.CONSOLE)
    # Where: the point, the address, and the smallest division containing the point (and its district,
    # kept for the statistics by district and the filters, one indexed column).
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="hazard_cases"
    )
    district = models.ForeignKey(
        "geo.Division",
        verbose_name=_("区县"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The division's path (its code prefix, geo.Division.path) copied onto the row, so that scoping
    # and the division filter are one indexed prefix match on this table, no join, at a million
    # cases. Kept in step by save() (a new or changed division) and by a signal when a division's
    # path changes; bulk inserts set it themselves (demo.generate).
    division_path = models.CharField(max_length=15, blank=True, default="", db_index=True, editable=False)
    enterprise = models.ForeignKey(
        "org.Enterprise",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazard_cases",
    )
    site = models.ForeignKey(
        "org.Site",
        verbose_name=_("场所"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazard_cases",
    )
    # Who reported: never shown to the public (DESIGN "Public privacy").
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报告人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_hazards",
    )
    reporter_name = models.CharField(_("报告人姓名"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("报告人电话"), max_length=20, blank=True)
    # Idempotent intake: "<source>:<reporter id or anon>:<client token>", unique when given.
    intake_key = models.CharField(max_length=200, null=True, blank=True, unique=True, editable=False)
    lead_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("牵头部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_hazards",
    )
    fixed_on_spot = models.BooleanField(_("当场整改"), default=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并至"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )
    # MAJOR hazards: listed supervision (挂牌督办).
    listed = models.BooleanField(_("挂牌督办"), default=False)
    listed_authority = models.CharField(_("督办机关"), max_length=100, blank=True)
    listed_at = models.DateTimeField(_("挂牌时间"), null=True, blank=True)
    # Times (UTC in storage). `due_at` is the current step's deadline, kept on the row so that lists and
    # the map show "overdue" without a join; the Deadline rows drive reminders and escalations.
    created_at = models.DateTimeField(_("上报时间"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    registered_at = models.DateTimeField(_("立案时间"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("派遣时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("期限"), null=True, blank=True)
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("重新打开次数"), default=0)
    public_note = models.CharField(
        _("公开说明"), max_length=300, blank=True, help_text=_("向公众展示的最新处理说明")
    )
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    objects = CaseQuerySet.as_manager()
    scope_division = "division"
    scope_enterprise = "enterprise"

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "created_at"], name="hazard_state_created"),
            # district + state (+ category): the list's usual filters, and what the scope reads, so that
            # the list's count is an index-only range on PostgreSQL.
            models.Index(
                fields=["district", "state", "category"],
                name="hazard_district_state_cat",
                include=["id", "division_path", "lead_department", "reporter"],
            ),
            models.Index(fields=["lead_department", "state"], name="hazard_lead_state"),
            models.Index(fields=["category", "state"], name="hazard_category_state"),
            # The map's box, with what its count and clusters filter on (PostgreSQL: index-only).
            models.Index(
                fields=["lat", "lon"],
                name="hazard_latlon_cover",
                include=["id", "state", "due_at", "division_path", "lead_department", "reporter"],
            ),
            models.Index(fields=["state", "due_at"], name="hazard_state_due"),
            # The list's order and its keyset pagination: (created_at, id) descending.
            models.Index(fields=["-created_at", "-id"], name="hazard_created_id"),
        ]
        verbose_name = _("隐患")
        verbose_name_plural = _("隐患")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Copies the division's path onto the row when the division is new or changed."""
        update_fields = kwargs.get("update_fields")
        if self.division_id and (update_fields is None or "division" in update_fields):
            if not self.division_path or self.division_id != getattr(self, "_loaded_division_id", None):
                from pingan.geo.models import Division

                cached = HazardCase.division.is_cached(self)  # type: ignore[attr-defined]
                if cached and self.division.pk == self.division_id:
                    self.division_path = self.division.path
                else:
                    self.division_path = (
                        Division.objects.filter(pk=self.division_id).values_list("path", flat=True).first()
                        or ""
                    )
                if update_fields is not None:
                    kwargs["update_fields"] = {*update_fields, "division_path"}
        super().save(*args, **kwargs)
        self._loaded_division_id = self.division_id

    def get_absolute_url(self) -> str:
        return reverse("hazards:detail", args=[self.pk])

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> HazardCase:
        obj = super().from_db(db, field_names, values)
        obj._loaded_division_id = obj.__dict__.get("division_id")
        return obj

    @property
    def number(self) -> str:
        """The case number people quote: YH-<year>-<id>."""
        year = timezone.localtime(self.created_at).year if self.created_at else timezone.now().year
        return f"YH-{year}-{self.pk or 0:07d}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def is_overdue(self, now: Any = None) -> bool:
        return bool(self.due_at and self.state in OPEN_STATES and self.due_at < (now or timezone.now()))

    @property
    def is_publicly_listed(self) -> bool:
        return HazardCase.objects.publicly_listed().filter(pk=self.pk).exists()

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        """Area staff see their area; departments also see every case they hold a task on, wherever
        it is (joint handling across districts); enterprises see their own; a reporter sees what they
        reported or subscribed to."""
        from pingan.core.querysets import default_scope_q
        from pingan.org.choices import Role

        if user.role == Role.ENTERPRISE:
            return default_scope_q(cls, user) | Q(reporter=user.pk)
        # The area: the path on the row (one indexed prefix match, no join to the divisions).
        q = Q(division_path__startswith=user.scope_path) if user.scope_path else NOTHING
        if user.department_id:
            # A subquery, not a join: a join on tasks would repeat rows in every list.
            q |= Q(lead_department=user.department_id) | Q(
                pk__in=CaseTask.objects.filter(department=user.department_id).values("case_id")
            )
        q |= Q(reporter=user.pk)
        return q


def sync_division_path(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A division's path changed (its code was corrected): the cases in it follow (one UPDATE)."""
    HazardCase.objects.filter(division=instance.pk).exclude(division_path=instance.path).update(
        division_path=instance.path
    )


class CaseTask(models.Model):
    """A department's own task on a case: the lead's and each co-handler's, each with its status."""

    case = models.ForeignKey(HazardCase, on_delete=models.CASCADE, related_name="tasks")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="hazard_tasks"
    )
    role = models.CharField(_("职责"), max_length=8, choices=TaskRole.choices)
    state = models.CharField(_("状态"), max_length=12, choices=TaskState.choices, default=TaskState.PENDING)
    note = models.TextField(_("处理说明"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "case__division"

    class Meta:
        ordering = ["role", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "department"], name="hazard_task_unique")]
        verbose_name = _("处置任务")
        verbose_name_plural = _("处置任务")

    def __str__(self) -> str:
        return f"{self.case_id} {self.department} {self.role}"


class Comment(models.Model):
    """A note on the case timeline: internal (departments only) or public (shown on the tracking page)."""

    case = models.ForeignKey(HazardCase, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("内容"))
    is_public = models.BooleanField(_("公开"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("意见")
        verbose_name_plural = _("意见")

    def __str__(self) -> str:
        return self.body[:40]


def _photo_path(instance: Photo, filename: str) -> str:
    return f"hazards/private/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{_ext(instance)}"


def _public_photo_path(instance: Photo, filename: str) -> str:
    return f"hazards/public/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{_ext(instance)}"


def _ext(instance: Photo) -> str:
    return {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}.get(instance.format, ".bin")


class Photo(models.Model):
    """A photo: the original as uploaded (staff only) and a public copy without EXIF/GPS metadata.

    Public addresses use `public_id` (random), never the sequential primary key, so photos cannot
    be enumerated."""

    case = models.ForeignKey(HazardCase, on_delete=models.CASCADE, related_name="photos")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("类型"), max_length=16, choices=PhotoKind.choices, default=PhotoKind.REPORT)
    original = models.FileField(_("原图"), upload_to=_photo_path)
    public_copy = models.FileField(_("公开图"), upload_to=_public_photo_path)
    format = models.CharField(max_length=8)
    size = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("照片")
        verbose_name_plural = _("照片")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.pk}"

    @property
    def is_public_kind(self) -> bool:
        return self.kind in rules.PUBLIC_PHOTO_KINDS


class TreatmentPlan(models.Model):
    """The MAJOR hazard's treatment plan (治理方案): the six fields of docs/domain §1, and its approval."""

    case = models.OneToOneField(HazardCase, on_delete=models.CASCADE, related_name="plan")
    goal_tasks = models.TextField(_("治理的目标和任务"))
    methods = models.TextField(_("采取的方法和措施"))
    funding_materials = models.TextField(_("经费和物资的落实"))
    organisation_people = models.TextField(_("负责治理的机构和人员"))
    time_limit_requirements = models.TextField(_("治理的时限和要求"))
    deadline = models.DateField(_("治理完成时限"))
    safety_emergency = models.TextField(_("安全措施和应急预案"))
    state = models.CharField(
        _("审核状态"), max_length=10, choices=ReviewState.choices, default=ReviewState.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("治理方案")
        verbose_name_plural = _("治理方案")

    def __str__(self) -> str:
        return f"{self.case_id} plan"


class RegulatorReport(models.Model):
    """The report of a MAJOR hazard to the regulator: ① state and cause ② harm and difficulty ③ plan."""

    case = models.OneToOneField(HazardCase, on_delete=models.CASCADE, related_name="regulator_report")
    authority = models.ForeignKey(
        "org.Department", verbose_name=_("报告对象"), on_delete=models.PROTECT, related_name="+"
    )
    current_state_cause = models.TextField(_("现状及其产生原因"))
    harm_difficulty = models.TextField(_("危害程度和整改难易程度"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("重大隐患报告")
        verbose_name_plural = _("重大隐患报告")

    def __str__(self) -> str:
        return f"{self.case_id} report"


class ResumeApplication(models.Model):
    """After treatment under listed supervision: the unit's written application to resume production
    and the regulator's on-site review."""

    case = models.ForeignKey(HazardCase, on_delete=models.CASCADE, related_name="resume_applications")
    content = models.TextField(_("申请内容"))
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(default=timezone.now)
    review_due = models.DateTimeField(_("审查期限"), null=True, blank=True)
    state = models.CharField(
        _("审查结果"), max_length=10, choices=ReviewState.choices, default=ReviewState.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("审查意见"), blank=True)

    class Meta:
        ordering = ["-applied_at"]
        verbose_name = _("恢复生产申请")
        verbose_name_plural = _("恢复生产申请")

    def __str__(self) -> str:
        return f"{self.case_id} resume {self.state}"


class Subscription(models.Model):
    """Who hears about public changes of a case: every reporter (also of the duplicates merged into it)."""

    case = models.ForeignKey(HazardCase, on_delete=models.CASCADE, related_name="subscriptions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hazard_subscriptions"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="hazard_subscription_unique")]
        verbose_name = _("关注")
        verbose_name_plural = _("关注")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.case_id}"


class Feedback(models.Model):
    """The reporter's answer after closure: is the hazard really gone? "No" reopens the case."""

    case = models.ForeignKey(HazardCase, on_delete=models.CASCADE, related_name="feedback")
    answer = models.CharField(_("是否消除"), max_length=10, choices=FeedbackAnswer.choices)
    note = models.TextField(_("说明"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("群众反馈")
        verbose_name_plural = _("群众反馈")

    def __str__(self) -> str:
        return f"{self.case_id} {self.answer}"


class Rectification(models.Model):
    """The lead department's account of the work, given when it submits for acceptance (提交验收):
    the measures taken, the cost and the person responsible. The photos before and after are `Photo`
    rows of the kinds "before" and "after"; acceptance shows them side by side."""

    case = models.ForeignKey(HazardCase, on_delete=models.CASCADE, related_name="rectifications")
    measures = models.TextField(_("整改措施"))
    cost = models.DecimalField(
        _("整改费用(元)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    responsible = models.CharField(_("整改责任人"), max_length=50)
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0), name="hazard_rectification_cost_not_negative"
            )
        ]
        verbose_name = _("整改记录")
        verbose_name_plural = _("整改记录")

    def __str__(self) -> str:
        return f"{self.case_id} rectification {self.pk}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    return f"hazards/attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{instance.format}"


class Attachment(models.Model):
    """A document on a case (PDF, Word): its type is sniffed from the content, never the name.
    Addressed by `public_id` (random) so that attachments cannot be enumerated."""

    case = models.ForeignKey(HazardCase, on_delete=models.CASCADE, related_name="attachments")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(_("文件"), upload_to=_attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    format = models.CharField(_("格式"), max_length=8)
    size = models.PositiveIntegerField(_("大小"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.name


class Notice(models.Model):
    """A printed notice (整改通知书, 督办通知书): content frozen from the case when issued, numbered per
    issuing department, year and kind (as the inspections' documents, decision 0008)."""

    case = models.ForeignKey(HazardCase, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("类型"), max_length=12, choices=NoticeKind.choices)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("发文部门"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    seq = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("文号"), max_length=120)
    content = models.JSONField(_("内容"), default=dict)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(_("发文时间"), default=timezone.now)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year", "kind", "seq"], name="hazard_notice_number")
        ]
        verbose_name = _("通知书")
        verbose_name_plural = _("通知书")

    def __str__(self) -> str:
        return self.number


class NoticeCounter(models.Model):
    """The last number issued per (department, year, kind): locked while a notice is issued."""

    department = models.ForeignKey("org.Department", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=12, choices=NoticeKind.choices)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["department", "year", "kind"], name="hazard_notice_counter")
        ]

    def __str__(self) -> str:
        return f"{self.department_id} {self.year} {self.kind} {self.last}"
