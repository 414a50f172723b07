"""Emergency plans (应急预案), their tasks, revisions, attachments and drills; activations and their
tasks. No workflow here: see actions.py."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.core.choices import colour_of
from pingan.core.querysets import NOTHING, ScopedQuerySet

from .choices import (
    ActivationState,
    AttachmentKind,
    DrillKind,
    Level,
    OwnerLevel,
    PlanKind,
    PlanState,
    TaskState,
)


def _ancestor_paths(path: str) -> list[str]:
    return [path[:i] for i in range(1, len(path))]


def _area_or_above(prefix: str, user: Any) -> Q:
    """Staff see the plans of their area and the plans above it (a city plan applies in a district)."""
    path = user.scope_path
    return Q(**{f"{prefix}__path__startswith": path}) | Q(**{f"{prefix}__path__in": _ancestor_paths(path)})


class Plan(models.Model):
    number = models.CharField(_("编号"), max_length=32, unique=True)
    title = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=10, choices=PlanKind.choices)
    owner_level = models.CharField(_("编制主体"), max_length=12, choices=OwnerLevel.choices)
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("适用区域"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("编制部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    enterprise = models.ForeignKey(
        "org.Enterprise",
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    event_types = models.JSONField(_("事件类型"), default=list, blank=True)
    levels = models.JSONField(_("响应级别"), default=list, blank=True)
    summary = models.TextField(_("主要内容"), blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=PlanState.choices, default=PlanState.DRAFT)
    version = models.PositiveIntegerField(_("版本"), default=1)
    high_risk = models.BooleanField(_("高危行业或中型以上企业"), default=False)
    published_on = models.DateField(_("公布日期"), null=True, blank=True)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    filed_with = models.CharField(_("备案机关"), max_length=100, blank=True)
    last_evaluated_on = models.DateField(_("上次评估"), null=True, blank=True)
    last_drilled_on = models.DateField(_("上次演练"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"
    scope_enterprise = "enterprise"

    class Meta:
        ordering = ["division__path", "kind", "id"]
        verbose_name = _("应急预案")
        verbose_name_plural = _("应急预案")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plans:detail", args=[self.pk])

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        from pingan.org.choices import Role

        if user.role == Role.ENTERPRISE:
            return Q(enterprise=user.enterprise_id) if user.enterprise_id else NOTHING
        if user.role == Role.PUBLIC or not user.scope_path:
            return NOTHING
        return _area_or_above("division", user)

    @property
    def level_items(self) -> list[tuple[str, str]]:
        """(value, label) of the plan's response levels, Ⅳ first."""
        return [(v, str(label)) for v, label in Level.choices if v in (self.levels or [])]

    @property
    def is_enterprise(self) -> bool:
        return self.enterprise_id is not None

    @property
    def state_colour(self) -> str:
        return colour_of(PlanState, self.state)


class PlanTask(models.Model):
    """What one organisation (a department, or a unit of an enterprise) does at a response level."""

    plan = models.ForeignKey(Plan, verbose_name=_("预案"), on_delete=models.CASCADE, related_name="tasks")
    level = models.CharField(_("响应级别"), max_length=1, choices=Level.choices)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.CharField(_("责任单位(非平台部门)"), max_length=100, blank=True)
    role = models.CharField(_("角色"), max_length=50)
    text = models.CharField(_("任务"), max_length=500)
    due_minutes = models.PositiveIntegerField(_("时限(分钟)"), default=60)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-level", "order", "id"]
        verbose_name = _("预案任务")
        verbose_name_plural = _("预案任务")

    def __str__(self) -> str:
        return self.text

    @property
    def holder(self) -> str:
        return self.department.name if self.department_id else self.organisation


class PlanRevision(models.Model):
    """One row per version of a plan: who changed it, when, what and the plan as it then stood."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField(_("版本"))
    summary = models.CharField(_("修订说明"), max_length=300)
    snapshot = models.JSONField(default=dict)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["plan", "version"], name="plans_revision_once")]
        verbose_name = _("修订记录")
        verbose_name_plural = _("修订记录")

    def __str__(self) -> str:
        return f"{self.plan_id} v{self.version}"


class PlanAttachment(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to="plans/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=4, choices=AttachmentKind.choices)
    size = models.PositiveIntegerField(_("大小(字节)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("预案附件")
        verbose_name_plural = _("预案附件")

    def __str__(self) -> str:
        return self.name


class Drill(models.Model):
    """A drill of a plan; may be the rescue module's drill record of the same exercise."""

    plan = models.ForeignKey(Plan, verbose_name=_("预案"), on_delete=models.CASCADE, related_name="drills")
    held_on = models.DateField(_("演练日期"))
    kind = models.CharField(_("形式"), max_length=12, choices=DrillKind.choices, default=DrillKind.TABLETOP)
    participants = models.PositiveIntegerField(_("参加人数"), default=0)
    notes = models.TextField(_("演练评估"), blank=True)
    exercise = models.ForeignKey(
        "rescue.Exercise",
        verbose_name=_("演练培训记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_division = "plan__division"
    scope_enterprise = "plan__enterprise"

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("预案演练")
        verbose_name_plural = _("预案演练")

    def __str__(self) -> str:
        return f"{self.plan_id} {self.held_on}"

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        from pingan.org.choices import Role

        if user.role == Role.ENTERPRISE:
            return Q(plan__enterprise=user.enterprise_id) if user.enterprise_id else NOTHING
        if user.role == Role.PUBLIC or not user.scope_path:
            return NOTHING
        return _area_or_above("plan__division", user)


class Activation(models.Model):
    """A plan put into effect for an incident or an active warning, at a response level."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("预案"), on_delete=models.PROTECT, related_name="activations"
    )
    incident = models.ForeignKey(
        "emergency.Incident",
        verbose_name=_("突发事件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    warning = models.ForeignKey(
        "warnings.EarlyWarning",
        verbose_name=_("预警"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    event_title = models.CharField(_("事件"), max_length=200)
    level = models.CharField(_("响应级别"), max_length=1, choices=Level.choices)
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("事发区划"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=ActivationState.choices, default=ActivationState.ACTIVE
    )
    note = models.CharField(_("启动说明"), max_length=500, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    activated_at = models.DateTimeField(_("启动时间"), default=timezone.now)
    stood_down_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stood_down_at = models.DateTimeField(_("终止时间"), null=True, blank=True)
    stand_down_note = models.CharField(_("终止说明"), max_length=500, blank=True)
    lessons = models.TextField(_("复盘总结与经验教训"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("复盘时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"

    class Meta:
        ordering = ["-activated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "incident"],
                condition=Q(state="active", incident__isnull=False),
                name="plans_one_active_per_incident",
            ),
            models.UniqueConstraint(
                fields=["plan", "warning"],
                condition=Q(state="active", warning__isnull=False),
                name="plans_one_active_per_warning",
            ),
        ]
        verbose_name = _("预案启动")
        verbose_name_plural = _("预案启动")

    def __str__(self) -> str:
        return f"{self.plan} · {self.event_title}"

    def get_absolute_url(self) -> str:
        return reverse("plans:board", args=[self.pk])

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        from pingan.org.choices import Role

        if user.role in (Role.ENTERPRISE, Role.PUBLIC) or not user.scope_path:
            return NOTHING
        # the area of the event, and every department holding one of its tasks
        q = Q(division__path__startswith=user.scope_path)
        if user.department_id:
            q |= Q(
                Exists(
                    ActivationTask.objects.filter(activation=OuterRef("pk"), department=user.department_id)
                )
            )
        return q


class ActivationTask(models.Model):
    activation = models.ForeignKey(Activation, on_delete=models.CASCADE, related_name="tasks")
    plan_task = models.ForeignKey(
        PlanTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    level = models.CharField(_("响应级别"), max_length=1, choices=Level.choices)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.CharField(_("责任单位"), max_length=100, blank=True)
    role = models.CharField(_("角色"), max_length=50)
    text = models.CharField(_("任务"), max_length=500)
    due_at = models.DateTimeField(_("时限"))
    state = models.CharField(_("状态"), max_length=12, choices=TaskState.choices, default=TaskState.PENDING)
    feedback = models.TextField(_("反馈"), blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "activation__division"

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("响应任务")
        verbose_name_plural = _("响应任务")

    def __str__(self) -> str:
        return self.text

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        from pingan.org.choices import Role

        if user.role in (Role.ENTERPRISE, Role.PUBLIC) or not user.scope_path:
            return NOTHING
        q = Q(activation__division__path__startswith=user.scope_path)
        if user.department_id:
            q |= Q(department=user.department_id)
        return q

    @property
    def holder(self) -> str:
        return self.department.name if self.department_id else self.organisation

    @property
    def state_colour(self) -> str:
        return colour_of(TaskState, self.state)

    @property
    def overdue(self) -> bool:
        if self.state == TaskState.DONE:
            return bool(self.done_at and self.done_at > self.due_at)
        return self.state in (TaskState.PENDING, TaskState.IN_PROGRESS) and self.due_at < timezone.now()
