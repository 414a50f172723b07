"""Enumerations of the monitoring module, with their colours (红橙黄蓝 for levels)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.core.choices import coloured


@coloured({"online": "green", "offline": "grey", "maintenance": "purple", "retired": "grey"})
class DeviceState(models.TextChoices):
    ONLINE = "online", _("在线")
    OFFLINE = "offline", _("离线")
    MAINTENANCE = "maintenance", _("维护")
    RETIRED = "retired", _("停用")


class SensorType(models.TextChoices):
    GAS_LEL = "gas_lel", _("可燃气体")
    TOXIC_GAS = "toxic_gas", _("有毒气体")
    TANK_LEVEL = "tank_level", _("储罐液位")
    TEMPERATURE = "temperature", _("温度")
    PRESSURE = "pressure", _("压力")
    SMOKE = "smoke", _("烟感")
    FIRE = "fire", _("火灾探测")
    WATER_LEVEL = "water_level", _("水位")
    RAINFALL = "rainfall", _("雨量")
    WIND = "wind", _("风速")
    SLOPE = "slope", _("边坡位移")
    STRAIN = "strain", _("结构应变")  # bridges, tunnels (城市生命线)
    DEFLECTION = "deflection", _("结构挠度")
    TRAFFIC_EVENT = "traffic_event", _("非现场执法事件")
    CAMERA_EVENT = "camera_event", _("AI 视频事件")


# Unit each type reports in (a reading that names another unit goes to the dead-letter table),
# and the physically possible range (outside it a value is rejected as impossible).
TYPE_UNITS = {
    "gas_lel": ("%LEL", 0, 100),
    "toxic_gas": ("ppm", 0, 10000),
    "tank_level": ("m", 0, 50),
    "temperature": ("°C", -60, 1500),
    "pressure": ("MPa", -0.1, 100),
    "smoke": ("", 0, 1),
    "fire": ("", 0, 1),
    "water_level": ("m", -50, 3000),
    "rainfall": ("mm", 0, 500),
    "wind": ("m/s", 0, 100),
    "slope": ("mm", -5000, 5000),
    "strain": ("με", -5000, 5000),
    "deflection": ("mm", -1000, 1000),
    "traffic_event": ("", 0, 1),
    "camera_event": ("", 0, 1),
}
EVENT_TYPES = frozenset({"smoke", "fire", "traffic_event", "camera_event"})


class RuleKind(models.TextChoices):
    THRESHOLD = "threshold", _("阈值")
    RATE = "rate", _("变化率")
    ACCUMULATION = "accumulation", _("累计雨量")
    NODATA = "nodata", _("无数据(离线)")
    EVENT = "event", _("事件")


@coloured({"active_unack": "red", "active_ack": "orange", "cleared_unack": "yellow", "cleared_ack": "green"})
class AlarmState(models.TextChoices):
    ACTIVE_UNACK = "active_unack", _("报警中·未确认")
    ACTIVE_ACK = "active_ack", _("报警中·已确认")
    CLEARED_UNACK = "cleared_unack", _("已恢复·未确认")
    CLEARED_ACK = "cleared_ack", _("已恢复·已确认")


ACTIVE_STATES = (AlarmState.ACTIVE_UNACK, AlarmState.ACTIVE_ACK)


@coloured({"1": "blue", "2": "yellow", "3": "orange", "4": "red"})
class Severity(models.TextChoices):
    """Four levels, as in the national 红橙黄蓝 scale; 预警 is usually 1–2 and 报警 3–4."""

    BLUE = "1", _("蓝色(一般)")
    YELLOW = "2", _("黄色(较重)")
    ORANGE = "3", _("橙色(严重)")
    RED = "4", _("红色(特别严重)")


SEVERITY_COLOURS = {0: "green", 1: "blue", 2: "yellow", 3: "orange", 4: "red"}


def severity_name(level: int | str | None) -> str:
    """A level by its colour name (红色/Red …), as people say it; 0 (or none) is "normal"."""
    try:
        number = int(level or 0)
    except (TypeError, ValueError):
        number = 0
    if number <= 0:
        return str(_("正常"))
    return str(dict(Severity.choices).get(str(number), number))


@coloured({"silence": "grey", "maintenance": "purple"})
class SilenceKind(models.TextChoices):
    SILENCE = "silence", _("静默(不通知)")
    MAINTENANCE = "maintenance", _("维护窗口(不报警)")


class DeadLetterReason(models.TextChoices):
    BAD_JSON = "bad_json", _("JSON 格式错误")
    BAD_SHAPE = "bad_shape", _("字段缺失或类型错误")
    UNKNOWN_DEVICE = "unknown_device", _("未知设备")
    UNKNOWN_SENSOR = "unknown_sensor", _("未知传感器")
    WRONG_UNIT = "wrong_unit", _("单位不符")
    IMPOSSIBLE_VALUE = "impossible_value", _("数值不可能")
    FUTURE_TS = "future_ts", _("时间戳在未来")
    BAD_TS = "bad_ts", _("时间戳无效")
    RETIRED = "retired", _("设备已停用")


class Channel(models.TextChoices):
    HTTP = "http", "HTTP"
    MQTT = "mqtt", "MQTT"
