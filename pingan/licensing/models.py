"""Licence applications, the periods their clock stood still, and the licences issued.

No workflow here: every change goes through actions.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.core.querysets import ScopedQuerySet

from .choices import ApplicationState, LicenceKind, LicenceState, StopReason


class Application(models.Model):
    """An online application (一网通办): tracked by its number on the portal."""

    number = models.CharField(_("申请编号"), max_length=20, unique=True, null=True, blank=True)
    enterprise = models.ForeignKey(
        "org.Enterprise", verbose_name=_("申请单位"), on_delete=models.PROTECT, related_name="+"
    )
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("许可类型"), max_length=30, choices=LicenceKind.choices)
    project = models.CharField(_("建设项目名称"), max_length=200, blank=True)
    scope = models.CharField(_("申请许可范围"), max_length=300)
    materials = models.JSONField(_("已提交材料"), default=list)
    missing = models.JSONField(_("一次性告知补正材料"), default=list, blank=True)
    missing_told_at = models.DateTimeField(_("告知补正时间"), null=True, blank=True)
    state = models.CharField(
        _("状态"), max_length=12, choices=ApplicationState.choices, default=ApplicationState.SUBMITTED
    )
    received_at = models.DateTimeField(_("收到申请时间"), default=timezone.now)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    due_on = models.DateField(_("法定办结期限"), null=True, blank=True)
    stopped_days = models.PositiveIntegerField(_("不计入期限的工作日"), default=0)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_note = models.CharField(_("决定理由"), max_length=300, blank=True)
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"
    scope_enterprise = "enterprise"

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("许可申请")

    def __str__(self) -> str:
        return str(self.number or f"#{self.pk}")


class ClockStop(models.Model):
    """A period the statutory clock stood still (行政许可法 §45), with its reason."""

    application = models.ForeignKey(
        Application, verbose_name=_("许可申请"), on_delete=models.CASCADE, related_name="stops"
    )
    reason = models.CharField(_("停止计时事由"), max_length=20, choices=StopReason.choices)
    started_on = models.DateField(_("停止计时日期"))
    ended_on = models.DateField(_("恢复计时日期"), null=True, blank=True)
    working_days = models.PositiveIntegerField(_("不计入的工作日"), default=0)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["started_on", "pk"]
        verbose_name = _("停止计时")

    def __str__(self) -> str:
        return f"{self.application_id}:{self.reason}"


class Licence(models.Model):
    """An issued licence (or a review's approval): number, scope, validity and its state."""

    number = models.CharField(_("许可证编号"), max_length=40, unique=True)
    application = models.OneToOneField(
        Application, verbose_name=_("许可申请"), on_delete=models.PROTECT, related_name="licence"
    )
    enterprise = models.ForeignKey(
        "org.Enterprise", verbose_name=_("持证单位"), on_delete=models.PROTECT, related_name="+"
    )
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("许可类型"), max_length=30, choices=LicenceKind.choices)
    scope = models.CharField(_("许可范围"), max_length=300)
    valid_from = models.DateField(_("有效期自"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    renewal_opens = models.DateField(_("延续申请起始日"), null=True, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=LicenceState.choices, default=LicenceState.VALID
    )
    state_note = models.CharField(_("暂扣或吊销理由"), max_length=300, blank=True)
    issued_at = models.DateTimeField(_("发证时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"
    scope_enterprise = "enterprise"

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("安全许可证")

    def __str__(self) -> str:
        return str(self.number)

    @property
    def expired(self) -> bool:
        return self.valid_until is not None and self.valid_until < timezone.localdate()

    @property
    def in_force(self) -> bool:
        return self.state == LicenceState.VALID and not self.expired
