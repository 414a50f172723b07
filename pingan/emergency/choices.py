"""Enumerations of the emergency app, with their colours."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.core.choices import coloured


class Category(models.TextChoices):
    """突发事件应对法 §3 categories (docs/domain §3)."""

    NATURAL = "natural", _("自然灾害")
    ACCIDENT = "accident", _("事故灾难")
    PUBLIC_HEALTH = "public_health", _("公共卫生事件")
    SOCIAL_SECURITY = "social_security", _("社会安全事件")


class SubType(models.TextChoices):
    """Sub-types of the 2006 national plan (docs/domain §3)."""

    FLOOD_DROUGHT = "flood_drought", _("水旱灾害")
    WEATHER = "weather", _("气象灾害")
    EARTHQUAKE = "earthquake", _("地震灾害")
    GEOLOGICAL = "geological", _("地质灾害")
    MARINE = "marine", _("海洋灾害")
    BIOLOGICAL = "biological", _("生物灾害")
    FOREST_FIRE = "forest_fire", _("森林草原火灾")
    WORKPLACE = "workplace", _("工矿商贸安全事故")
    TRANSPORT = "transport", _("交通运输事故")
    FIRE = "fire", _("火灾事故")
    PUBLIC_FACILITY = "public_facility", _("公共设施和设备事故")
    ENVIRONMENT = "environment", _("环境污染和生态破坏")
    EPIDEMIC = "epidemic", _("传染病疫情")
    UNKNOWN_DISEASE = "unknown_disease", _("群体性不明原因疾病")
    FOOD_OCCUPATIONAL = "food_occupational", _("食品安全和职业危害")
    ANIMAL_EPIDEMIC = "animal_epidemic", _("动物疫情")
    SOCIAL = "social", _("社会安全事件")
    OTHER = "other", _("其他")


SUBTYPES_BY_CATEGORY = {
    Category.NATURAL: [
        SubType.FLOOD_DROUGHT,
        SubType.WEATHER,
        SubType.EARTHQUAKE,
        SubType.GEOLOGICAL,
        SubType.MARINE,
        SubType.BIOLOGICAL,
        SubType.FOREST_FIRE,
        SubType.OTHER,
    ],
    Category.ACCIDENT: [
        SubType.WORKPLACE,
        SubType.TRANSPORT,
        SubType.FIRE,
        SubType.PUBLIC_FACILITY,
        SubType.ENVIRONMENT,
        SubType.OTHER,
    ],
    Category.PUBLIC_HEALTH: [
        SubType.EPIDEMIC,
        SubType.UNKNOWN_DISEASE,
        SubType.FOOD_OCCUPATIONAL,
        SubType.ANIMAL_EPIDEMIC,
        SubType.OTHER,
    ],
    Category.SOCIAL_SECURITY: [SubType.SOCIAL, SubType.OTHER],
}


class AccidentKind(models.TextChoices):
    """For the supplementary-report window (国务院令第493号 §13): road traffic and fire have 7 days."""

    GENERAL = "general", _("一般生产安全事故")
    ROAD_TRAFFIC = "road_traffic", _("道路交通事故")
    FIRE = "fire", _("火灾事故")


@coloured({"general": "blue", "larger": "yellow", "major": "orange", "especially_major": "red"})
class Grade(models.TextChoices):
    """Accident grade (生产安全事故等级) / severity level Ⅳ–Ⅰ of other emergencies."""

    GENERAL = "general", _("一般(Ⅳ级)")
    LARGER = "larger", _("较大(Ⅲ级)")
    MAJOR = "major", _("重大(Ⅱ级)")
    ESPECIALLY_MAJOR = "especially_major", _("特别重大(Ⅰ级)")


GRADE_ORDER = [Grade.GENERAL, Grade.LARGER, Grade.MAJOR, Grade.ESPECIALLY_MAJOR]


class ChainLevel(models.TextChoices):
    UNIT = "unit", _("事发单位")
    COUNTY = "county", _("县级")
    CITY = "city", _("设区的市级")
    PROVINCE = "province", _("省级")
    MINISTRY = "ministry", _("国务院应急管理部门")
    STATE_COUNCIL = "state_council", _("国务院")


CHAIN_ORDER = [
    ChainLevel.UNIT,
    ChainLevel.COUNTY,
    ChainLevel.CITY,
    ChainLevel.PROVINCE,
    ChainLevel.MINISTRY,
    ChainLevel.STATE_COUNCIL,
]


class Source(models.TextChoices):
    PHONE = "phone", _("电话接报")
    ALARM = "alarm", _("监测报警")
    HAZARD = "hazard", _("隐患案件")
    LOWER_REPORT = "lower_report", _("下级报告")
    PUBLIC = "public", _("群众报告")
    OTHER = "other", _("其他")


@coloured({"open": "orange", "closed": "green"})
class IncidentState(models.TextChoices):
    OPEN = "open", _("处置中")
    CLOSED = "closed", _("已结束")


class ReportKind(models.TextChoices):
    INITIAL = "initial", _("首报")
    SUPPLEMENT = "supplement", _("续报")


@coloured({"due": "orange", "sent": "green", "cancelled": "grey"})
class ReportState(models.TextChoices):
    DUE = "due", _("待报送")
    SENT = "sent", _("已报送")
    CANCELLED = "cancelled", _("已取消")


@coloured({"late": "red", "omitted": "orange", "false": "red", "concealed": "purple"})
class Finding(models.TextChoices):
    """应急管理部令第14号: LATE is flagged by the system; the others are findings made by people."""

    LATE = "late", _("迟报")
    OMITTED = "omitted", _("漏报")
    FALSE = "false", _("谎报")
    CONCEALED = "concealed", _("瞒报")


@coloured({"4": "blue", "3": "yellow", "2": "orange", "1": "red"})
class ResponseLevel(models.TextChoices):
    IV = "4", _("Ⅳ级响应")
    III = "3", _("Ⅲ级响应")
    II = "2", _("Ⅱ级响应")
    I = "1", _("Ⅰ级响应")  # noqa: E741


class ResponseStep(models.TextChoices):
    ACTIVATE = "activate", _("启动")
    RAISE = "raise", _("提升")
    LOWER = "lower", _("降低")
    END = "end", _("终止")


class SanfangKind(models.TextChoices):
    FLOOD = "flood", _("防汛")
    WIND = "wind", _("防风")
    DROUGHT = "drought", _("防旱")
    FREEZE = "freeze", _("防冻")


class PostLevel(models.TextChoices):
    CITY = "city", _("市级")
    DISTRICT = "district", _("县区级")
    TOWN = "town", _("乡镇街道级")


class ShiftRole(models.TextChoices):
    LEADER = "leader", _("带班领导")
    OFFICER = "officer", _("值班员")


@coloured({"pending": "orange", "approved": "green", "rejected": "red"})
class SwapState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
