from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from pingan.core.querysets import NOTHING, ScopedQuerySet

from .choices import DepartmentKind, Industry, Role, Scale, Sector
from .rules import uscc_problem

USCC_MESSAGES = {
    "length": _("统一社会信用代码应为 18 位"),
    "characters": _("统一社会信用代码只能包含数字和大写字母(不含 I、O、S、V、Z)"),
    "check": _("统一社会信用代码校验位不正确"),
}


def validate_uscc(value: str) -> None:
    problem = uscc_problem(value)
    if problem:
        raise ValidationError(USCC_MESSAGES[problem], code=f"uscc_{problem}")


class Department(models.Model):
    """A government body at some level: a city bureau, its district branch, a township office,
    a village committee, the dispatch centre."""

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    code = models.CharField(_("编码"), max_length=40, unique=True)
    sector = models.CharField(_("行业/系统"), max_length=30, choices=Sector.choices)
    kind = models.CharField(_("类别"), max_length=20, choices=DepartmentKind.choices)
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("辖区"), on_delete=models.PROTECT, related_name="departments"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    phone = models.CharField(_("值班电话"), max_length=40, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()
    # The directory of government bodies is open to every signed-in person (who to call).
    scope_division = "division"

    class Meta:
        ordering = ["division__code", "sector", "name"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")

    def __str__(self) -> str:
        return self.short_name or self.name

    @classmethod
    def scope_q(cls, user: Any) -> models.Q:
        return models.Q() if user.role != Role.PUBLIC else NOTHING


class Enterprise(models.Model):
    """A production and business unit (生产经营单位) under safety supervision."""

    name = models.CharField(_("单位名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc])
    industry = models.CharField(_("行业"), max_length=30, choices=Industry.choices)
    scale = models.CharField(_("规模"), max_length=10, choices=Scale.choices, default=Scale.SMALL)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="enterprises"
    )
    supervising_departments = models.ManyToManyField(
        Department, verbose_name=_("监管部门"), blank=True, related_name="supervised_enterprises"
    )
    key_supervision = models.BooleanField(_("重点监管"), default=False, db_index=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    principal = models.CharField(_("主要负责人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    employees = models.PositiveIntegerField(_("从业人数"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)
    is_active = models.BooleanField(_("在营"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"
    scope_enterprise = "pk"

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["lat", "lon"], name="enterprise_latlon")]
        verbose_name = _("生产经营单位")
        verbose_name_plural = _("生产经营单位")

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A place of an enterprise (a plant, a warehouse, a construction site)."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="sites"
    )
    name = models.CharField(_("名称"), max_length=200)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="sites"
    )
    supervising_department = models.ForeignKey(
        Department,
        verbose_name=_("监管部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_sites",
    )

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"
    scope_enterprise = "enterprise"

    class Meta:
        ordering = ["enterprise", "name"]
        verbose_name = _("场所")
        verbose_name_plural = _("场所")

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.name}"


class PersonManager(UserManager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A person. One role; a scope made of a division subtree and, where it applies, a department
    or an enterprise."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    role = models.CharField(
        _("角色"), max_length=20, choices=Role.choices, default=Role.PUBLIC, db_index=True
    )
    division = models.ForeignKey(
        "geo.Division",
        verbose_name=_("管辖范围"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    objects = PersonManager()
    scope_division = "division"
    scope_enterprise = "enterprise"

    class Meta:
        ordering = ["username"]
        verbose_name = _("人员")
        verbose_name_plural = _("人员")

    def __str__(self) -> str:
        return self.display_name or self.username

    def clean(self) -> None:
        super().clean()
        if self.role == Role.ENTERPRISE and not self.enterprise_id:
            raise ValidationError({"enterprise": _("企业用户必须关联一个单位")})
        if self.role not in (Role.PUBLIC, Role.ENTERPRISE, Role.INTEGRATION) and not self.division_id:
            raise ValidationError({"division": _("工作人员必须有管辖范围")})

    @cached_property
    def scope_path(self) -> str:
        """The division prefix this person's view is limited to ('' for none)."""
        if self.role == Role.ENTERPRISE or not self.division_id:
            return ""
        if User.division.is_cached(self):  # type: ignore[attr-defined]
            return self.division.path
        # Read with the person at sign-in (pingan.org.auth): no second query.
        loaded = self.__dict__.get("division_path_")
        if loaded is not None:
            return loaded
        from pingan.geo.models import Division

        # Only the path: loading the division would parse its boundary (GeoJSON) on every request.
        return Division.objects.filter(pk=self.division_id).values_list("path", flat=True).first() or ""

    @property
    def sees_everything(self) -> bool:
        return bool(self.is_superuser or self.role == Role.CITY_ADMIN)

    @property
    def is_staff_role(self) -> bool:
        from .choices import STAFF_ROLES

        return self.role in STAFF_ROLES or self.is_superuser

    @classmethod
    def scope_q(cls, user: Any) -> models.Q:
        # People are visible within one's area; enterprise users see their colleagues only.
        if user.role == Role.ENTERPRISE:
            return models.Q(enterprise=user.enterprise_id) if user.enterprise_id else NOTHING
        if user.role == Role.PUBLIC or not user.scope_path:
            return models.Q(pk=user.pk)
        return models.Q(division__path__startswith=user.scope_path) | models.Q(pk=user.pk)
