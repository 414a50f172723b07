"""Enumerations of the risk module, with their colours (the four-colour scale lives here)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.core.choices import coloured
from pingan.inspections.services import WorkType

from . import rules


@coloured(dict(rules.LEVEL_COLOURS) | {"unassessed": "grey"})
class Level(models.TextChoices):
    """docs/domain §4: 重大 red · 较大 orange · 一般 yellow · 低 blue."""

    MAJOR = rules.MAJOR, _("重大风险")
    LARGE = rules.LARGE, _("较大风险")
    GENERAL = rules.GENERAL, _("一般风险")
    LOW = rules.LOW, _("低风险")
    UNASSESSED = "unassessed", _("未评估")


class ObjectKind(models.TextChoices):
    CITY_POINT = "city_point", _("城市风险点")
    ANALYSIS_UNIT = "analysis_unit", _("企业安全风险分析单元")


class PointType(models.TextChoices):
    CROWDED = "crowded", _("人员密集场所")
    CONSTRUCTION = "construction", _("建筑工地")
    SLOPE = "slope", _("边坡与地质灾害点")
    WATERLOGGING = "waterlogging", _("易涝点")
    OLD_BUILDING = "old_building", _("老旧房屋")
    GAS_STATION = "gas_station", _("加油加气站")
    BRIDGE = "bridge", _("桥梁")
    TUNNEL = "tunnel", _("隧道")
    DEVICE = "device", _("设备设施")
    STORAGE = "storage", _("储存区域")
    PROCESS = "process", _("工艺过程")
    OTHER = "other", _("其他")


class LifelineKind(models.TextChoices):
    """City lifelines (城市生命线): the asset types and their map colours."""

    GAS_PIPELINE = "gas_pipeline", _("燃气管道")
    GAS_STATION = "gas_station", _("燃气场站")
    BRIDGE = "bridge", _("桥梁")
    WATER_SUPPLY = "water_supply", _("供水管网")
    DRAINAGE = "drainage", _("排水管网")
    WATERLOGGING = "waterlogging", _("易涝点")
    HEATING = "heating", _("供热管网")
    UTILITY_TUNNEL = "utility_tunnel", _("综合管廊")


LIFELINE_COLOURS = {
    "gas_pipeline": "orange",
    "gas_station": "red",
    "bridge": "purple",
    "water_supply": "blue",
    "drainage": "green",
    "waterlogging": "blue",
    "heating": "red",
    "utility_tunnel": "grey",
}


class MeasureKind(models.TextChoices):
    ENGINEERING = "engineering", _("工程技术")
    MANAGEMENT = "management", _("管理措施")
    TRAINING = "training", _("培训教育")
    PPE = "ppe", _("个体防护")
    EMERGENCY = "emergency", _("应急处置")


class Cycle(models.TextChoices):
    HOURLY = "hourly", _("每小时")
    SHIFT = "shift", _("每班")
    DAILY = "daily", _("每日")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    YEARLY = "yearly", _("每年")


class Post(models.TextChoices):
    """Who owns a risk of a level (docs/domain §4): the higher the risk, the higher the post."""

    PRINCIPAL = "principal", _("主要负责人")
    SAFETY_DEPT = "safety_dept", _("安全管理部门")
    WORKSHOP = "workshop", _("车间")
    TEAM = "team", _("班组")
    # The three named people of a major hazard source (包保责任制).
    TECHNICAL = "technical", _("技术负责人")
    OPERATIONAL = "operational", _("操作负责人")


@coloured({"ok": "green", "finding": "red"})
class CheckResult(models.TextChoices):
    OK = "ok", _("正常")
    FINDING = "finding", _("发现问题")


class Method(models.TextChoices):
    LEC = "lec", _("LEC 作业条件危险性评价法")
    LS = "ls", _("LS 风险矩阵法")


class UnitKind(models.TextChoices):
    PRODUCTION = "production", _("生产单元")
    STORAGE = "storage", _("储存单元")


@coloured({"1": "red", "2": "orange", "3": "yellow", "4": "blue", "none": "grey"})
class MhsGrade(models.TextChoices):
    ONE = "1", _("一级")
    TWO = "2", _("二级")
    THREE = "3", _("三级")
    FOUR = "4", _("四级")
    NONE = "none", _("非重大危险源")


@coloured({"unfiled": "orange", "filed": "green", "not_required": "grey"})
class FilingState(models.TextChoices):
    NOT_REQUIRED = "not_required", _("无需备案")
    UNFILED = "unfiled", _("待备案")
    FILED = "filed", _("已备案")


class UnitState(models.TextChoices):
    RUNNING = "running", _("运行")
    STOPPED = "stopped", _("停产")
    MAINTENANCE = "maintenance", _("检修")


# The special-work types have one definition, with the permits that own them (inspections); the
# commitment stores their codes (hot_work, confined_space, …).
SpecialWork = WorkType
