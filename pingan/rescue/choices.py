from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.core.choices import coloured


@coloured(
    {
        "professional": "red",
        "fire": "red",
        "mine": "purple",
        "hazchem": "orange",
        "flood": "blue",
        "medical": "green",
        "power": "yellow",
        "communications": "teal",
        "volunteer": "grey",
    }
)
class TeamKind(models.TextChoices):
    PROFESSIONAL = "professional", _("综合性专业救援队")
    FIRE = "fire", _("消防救援队")
    MINE = "mine", _("矿山救援队")
    HAZCHEM = "hazchem", _("危险化学品救援队")
    FLOOD = "flood", _("防汛抢险队")
    MEDICAL = "medical", _("医疗救护队")
    POWER = "power", _("电力抢修队")
    COMMUNICATIONS = "communications", _("通信保障队")
    VOLUNTEER = "volunteer", _("社会救援志愿队")


class Capability(models.TextChoices):
    """What a team can do; an incident asks for some of these."""

    FIRE = "fire", _("灭火")
    SEARCH = "search", _("搜救/坍塌救援")
    WATER = "water", _("水域救援")
    HAZCHEM = "hazchem", _("危化品处置")
    MINE = "mine", _("矿山救援")
    MEDICAL = "medical", _("医疗救护")
    POWER = "power", _("电力抢修")
    COMMS = "comms", _("应急通信")
    FOREST = "forest", _("森林灭火")
    LOGISTICS = "logistics", _("后勤保障")


# The capabilities a team of each kind has unless its record says otherwise.
DEFAULT_CAPABILITIES = {
    TeamKind.PROFESSIONAL: [Capability.SEARCH, Capability.WATER, Capability.FOREST, Capability.LOGISTICS],
    TeamKind.FIRE: [Capability.FIRE, Capability.SEARCH, Capability.WATER, Capability.HAZCHEM],
    TeamKind.MINE: [Capability.MINE, Capability.SEARCH],
    TeamKind.HAZCHEM: [Capability.HAZCHEM, Capability.FIRE],
    TeamKind.FLOOD: [Capability.WATER, Capability.LOGISTICS],
    TeamKind.MEDICAL: [Capability.MEDICAL],
    TeamKind.POWER: [Capability.POWER],
    TeamKind.COMMUNICATIONS: [Capability.COMMS],
    TeamKind.VOLUNTEER: [Capability.SEARCH, Capability.LOGISTICS],
}


@coloured({"ready": "green", "busy": "orange", "unavailable": "grey"})
class TeamStatus(models.TextChoices):
    READY = "ready", _("待命可调")
    BUSY = "busy", _("执行任务中")
    UNAVAILABLE = "unavailable", _("不可调用")


class EquipmentKind(models.TextChoices):
    VEHICLE = "vehicle", _("车辆")
    BOAT = "boat", _("舟艇")
    EQUIPMENT = "equipment", _("装备")
    DRONE = "drone", _("无人机")


@coloured(
    {
        "requested": "orange",
        "assigned": "yellow",
        "standby": "blue",
        "mobilised": "red",
        "in_action": "red",
        "demobilising": "teal",
        "stood_down": "grey",
        "declined": "grey",
    }
)
class MobilisationState(models.TextChoices):
    REQUESTED = "requested", _("已请求")
    ASSIGNED = "assigned", _("已指派")
    STANDBY = "standby", _("集结待命")
    MOBILISED = "mobilised", _("已出动")
    IN_ACTION = "in_action", _("现场处置")
    DEMOBILISING = "demobilising", _("撤离中")
    STOOD_DOWN = "stood_down", _("已归建")
    DECLINED = "declined", _("已拒绝")


ACTIVE_MOBILISATION = frozenset(
    {
        MobilisationState.REQUESTED,
        MobilisationState.ASSIGNED,
        MobilisationState.STANDBY,
        MobilisationState.MOBILISED,
        MobilisationState.IN_ACTION,
        MobilisationState.DEMOBILISING,
    }
)


class Specialty(models.TextChoices):
    HAZCHEM = "hazchem", _("危险化学品")
    MINING = "mining", _("矿山")
    FIRE = "fire", _("消防")
    FLOOD = "flood", _("防汛/水利")
    GEOLOGY = "geology", _("地质灾害")
    STRUCTURE = "structure", _("建筑结构")
    MEDICAL = "medical", _("医疗卫生")
    POWER = "power", _("电力")
    METEOROLOGY = "meteorology", _("气象")
    FOREST = "forest", _("森林防火")
    TRAFFIC = "traffic", _("交通运输")


class ExerciseKind(models.TextChoices):
    DRILL = "drill", _("演练")
    TRAINING = "training", _("培训")


class StockMovementKind(models.TextChoices):
    ISSUE = "issue", _("出库")
    RETURN = "return", _("归还")
    RESTOCK = "restock", _("补库")


@coloured({"queued": "grey", "running": "blue", "done": "green", "failed": "red"})
class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("计算中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class SitingMethod(models.TextChoices):
    MCLP = "mclp", _("最大覆盖(MCLP)")
    PMEDIAN = "pmedian", _("p-中位(最小加权时间)")


class NetworkSource(models.TextChoices):
    OSM = "osm", _("OpenStreetMap 导入")
    SYNTHETIC = "synthetic", _("合成路网(演示)")
    TEST = "test", _("测试路网")
