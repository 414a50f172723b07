"""Responsibility lists (责任清单) per post and year, and the annual assessment (年度考核)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.core.querysets import ScopedQuerySet

from .choices import AssessmentState, PostKind, Source, UnitKind


class ResponsibilityList(models.Model):
    """The safety duties of one post (a leader or a department head) for one year, signed by the
    person holding the post. Items are text, in order; a signed list no longer changes."""

    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    post = models.CharField(_("岗位"), max_length=100)
    kind = models.CharField(_("岗位类别"), max_length=12, choices=PostKind.choices)
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("所属部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("岗位责任人"),
        on_delete=models.PROTECT,
        related_name="responsibility_lists",
    )
    items = models.JSONField(_("责任事项"), default=list)
    sign_by = models.DateField(_("签订期限"))
    signed_at = models.DateTimeField(_("签订时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"

    class Meta:
        verbose_name = _("安全责任清单")
        verbose_name_plural = _("安全责任清单")
        ordering = ["-year", "division__code", "kind", "post"]
        constraints = [
            models.UniqueConstraint(fields=["year", "division", "post"], name="assessment_list_post_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.post}"

    @property
    def signed(self) -> bool:
        return self.signed_at is not None

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        """The lists of one's area, and always one's own (a holder sees what they are asked to sign)."""
        from pingan.core.querysets import default_scope_q

        return default_scope_q(cls, user) | Q(holder_id=user.pk)


class Assessment(models.Model):
    """One year's assessment: its items and weights (set by the city), manual scores, and once
    published the results frozen as they were announced."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=AssessmentState.choices, default=AssessmentState.DRAFT
    )
    results = models.JSONField(_("公布结果"), default=dict, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    # The year's header reveals nothing; each unit's result is filtered by `assessment.view_result`.
    objects = ScopedQuerySet.as_manager()
    scope_public = False

    class Meta:
        verbose_name = _("年度考核")
        verbose_name_plural = _("年度考核")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return Q()


class AssessmentItem(models.Model):
    """A scored item with its weight. KPI items name a command-centre figure (district units only);
    the weights of each unit kind add up to 100 (rules.weights_problems)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="items")
    unit_kind = models.CharField(_("考核对象"), max_length=12, choices=UnitKind.choices)
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices)
    key = models.CharField(_("代码"), max_length=60)
    label = models.CharField(_("考核项目"), max_length=100)
    weight = models.DecimalField(
        _("权重"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("考核项目")
        verbose_name_plural = _("考核项目")
        ordering = ["unit_kind", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "unit_kind", "key"], name="assessment_item_key"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.weight})"


class ManualScore(models.Model):
    """The score (0–100) the city gives one unit on one manual item."""

    item = models.ForeignKey(AssessmentItem, on_delete=models.CASCADE, related_name="scores")
    unit = models.CharField(_("考核对象代码"), max_length=40)
    score = models.DecimalField(
        _("得分"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    note = models.CharField(_("评分说明"), max_length=500, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("人工评分")
        verbose_name_plural = _("人工评分")
        constraints = [models.UniqueConstraint(fields=["item", "unit"], name="assessment_score_unit")]

    def __str__(self) -> str:
        return f"{self.unit} {self.score}"
