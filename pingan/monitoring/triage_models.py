"""Alarm triage (研判): an analyst's verdict on an alarm, per-rule triage settings, maintenance tasks.

Imported at the end of models.py so that Django finds the models (one migration with the app).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.core.choices import coloured
from pingan.core.querysets import ScopedQuerySet


class TriageMode(models.TextChoices):
    # Beside: the escalation runs as before and the analyst works alongside it. Before: nobody is paged
    # until an analyst says the alarm is real (the national hazardous-chemicals system's way of cutting
    # the daily alarms people are woken for).
    BESIDE = "beside", _("与升级同时研判")
    BEFORE = "before", _("先研判后升级")


@coloured({"new": "orange", "claimed": "blue", "site_check": "purple", "done": "green"})
class TriageState(models.TextChoices):
    NEW = "new", _("待研判")
    CLAIMED = "claimed", _("研判中")
    SITE_CHECK = "site_check", _("待现场核实")
    DONE = "done", _("已研判")


@coloured({"real": "red", "false": "grey", "site_check": "purple"})
class Verdict(models.TextChoices):
    REAL = "real", _("真实报警")
    FALSE = "false", _("误报")
    SITE_CHECK = "site_check", _("需现场核实")


class FalseReason(models.TextChoices):
    SENSOR_FAULT = "sensor_fault", _("传感器故障")
    CALIBRATION = "calibration", _("标定偏差")
    ENVIRONMENT = "environment", _("环境干扰")
    TEST = "test", _("测试")
    MAINTENANCE = "maintenance", _("检修作业")
    DUPLICATE = "duplicate", _("重复报警")


class Outcome(models.TextChoices):
    HAZARD = "hazard", _("转隐患")
    INCIDENT = "incident", _("转突发事件")
    WARNING = "warning", _("转预警草稿")


class RuleTriage(models.Model):
    """How alarms of a rule are triaged; a rule without a row is triaged beside the escalation."""

    rule = models.OneToOneField(
        "monitoring.Rule", verbose_name=_("规则"), on_delete=models.CASCADE, related_name="triage"
    )
    mode = models.CharField(
        _("研判方式"), max_length=8, choices=TriageMode.choices, default=TriageMode.BESIDE
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("规则研判设置")
        verbose_name_plural = _("规则研判设置")

    def __str__(self) -> str:
        return f"{self.rule} · {self.get_mode_display()}"


class AlarmTriage(models.Model):
    """The analyst's work on one alarm: claim, verdict, reason, note, and what it turned into."""

    alarm = models.OneToOneField(
        "monitoring.Alarm", verbose_name=_("报警"), on_delete=models.CASCADE, related_name="triage"
    )
    state = models.CharField(
        _("研判状态"), max_length=12, choices=TriageState.choices, default=TriageState.NEW
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("研判人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    verdict = models.CharField(_("研判结论"), max_length=12, choices=Verdict.choices, blank=True)
    reason = models.CharField(_("误报原因"), max_length=14, choices=FalseReason.choices, blank=True)
    note = models.TextField(_("研判说明"), blank=True)
    decided_at = models.DateTimeField(_("研判时间"), null=True, blank=True, db_index=True)
    outcome = models.CharField(_("后续处置"), max_length=10, choices=Outcome.choices, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "alarm__division"
    scope_enterprise = "alarm__enterprise"

    class Meta:
        verbose_name = _("报警研判")
        verbose_name_plural = _("报警研判")
        constraints = [
            models.CheckConstraint(
                condition=~Q(verdict="false") | ~Q(reason=""), name="triage_false_has_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.alarm_id} · {self.get_state_display()}"

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        # Exactly the alarms the person may see (department rule included); looked up through the app
        # registry because models.py imports this module.
        alarm = apps.get_model("monitoring", "Alarm")
        return Q(alarm__in=alarm.objects.visible_to(user).values("pk"))


class MaintenanceState(models.TextChoices):
    OPEN = "open", _("待维护")
    DONE = "done", _("已完成")


class MaintenanceTask(models.Model):
    """A device that keeps producing false alarms for a device reason, to be looked at on site."""

    device = models.ForeignKey(
        "monitoring.Device",
        verbose_name=_("设备"),
        on_delete=models.CASCADE,
        related_name="maintenance_tasks",
    )
    reason = models.CharField(_("原因"), max_length=200)
    false_alarms = models.PositiveIntegerField(_("近期误报次数"), default=0)
    state = models.CharField(
        _("状态"), max_length=6, choices=MaintenanceState.choices, default=MaintenanceState.OPEN
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "device__division"
    scope_enterprise = "device__enterprise"

    class Meta:
        verbose_name = _("设备维护任务")
        verbose_name_plural = _("设备维护任务")
        constraints = [
            models.UniqueConstraint(
                fields=["device"], condition=Q(state="open"), name="one_open_maintenance_task"
            )
        ]

    def __str__(self) -> str:
        return f"{self.device} · {self.reason}"
