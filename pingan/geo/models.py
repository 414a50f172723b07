from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.core.querysets import ScopedQuerySet

from .choices import CODE_LENGTH, Level
from .rules import division_path


class Division(models.Model):
    """A node of the division tree: city → district → township → village/community → grid.

    `path` is the code prefix that all descendants share, so a subtree is one indexed
    `path__startswith` filter. Geometry is GeoJSON (WGS-84); `lat`/`lon` is a representative point
    inside it and the bbox columns let a look-up skip far-away divisions.
    """

    code = models.CharField(_("区划代码"), max_length=15, unique=True)
    path = models.CharField(max_length=15, db_index=True, editable=False)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    kind = models.CharField(
        _("类别"), max_length=20, blank=True, help_text=_("街道/镇/乡/林场/开发区/社区/村…")
    )
    is_formal = models.BooleanField(
        _("正式建制"), default=True, help_text=_("林场、开发区等统计单位不是正式乡镇")
    )
    is_synthetic = models.BooleanField(
        _("合成数据"), default=False, help_text=_("演示用的合成边界或单位,不是官方数据")
    )
    geometry = models.JSONField(_("边界"), null=True, blank=True)
    geometry_source = models.CharField(_("边界来源"), max_length=200, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    min_lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    population = models.PositiveIntegerField(_("人口"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    # Reference data: every signed-in person may read the whole tree (names, codes, boundaries).
    scope_public = True

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.path = division_path(self.code, self.level)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        expected = CODE_LENGTH.get(Level(self.level)) if self.level in Level.values else None
        if expected and (len(self.code) != expected or not self.code.isdigit()):
            raise ValidationError({"code": _("该层级的区划代码应为 %(n)d 位数字") % {"n": expected}})

    def ancestors(self) -> list[Division]:
        out, node = [], self.parent
        while node is not None:
            out.append(node)
            node = node.parent
        return out[::-1]

    def is_within(self, other: Division) -> bool:
        return self.path.startswith(other.path)

    def descendants(self) -> models.QuerySet[Division]:
        return Division.objects.filter(path__startswith=self.path).exclude(pk=self.pk)

    @property
    def district(self) -> Division | None:
        """The county-level unit this division belongs to (itself for a district)."""
        if self.level == Level.DISTRICT:
            return self
        if self.level == Level.CITY:
            return None
        return Division.objects.filter(code=self.code[:6]).first()
