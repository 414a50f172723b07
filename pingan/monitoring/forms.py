"""Console forms for the network's configuration: rules, escalation policies, silences, devices.

Forms validate what a person typed (numbers finite and in range, thresholds consistent with each other
and with the sensor type's unit and physical range, durations bounded); the actions in
`config_actions.py` check who may, write the rows in one transaction and audit the change.
"""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pingan.org.choices import Role

from .choices import SEVERITY_COLOURS, TYPE_UNITS, DeviceState, RuleKind, Severity, SilenceKind
from .models import Device, EscalationPolicy, Rule

LEVELS = (1, 2, 3, 4)
# Bounds of what a rule may say (a day's duration, a week offline, 100 samples in a row).
MAX_FOR_SECONDS = 86_400
MAX_FOR_SAMPLES = 100
MAX_HOLD_SECONDS = 86_400
MAX_NODATA_MINUTES = 7 * 24 * 60
# A rate rule's threshold is per minute: at most the sensor type's whole range in one minute.
DIRECTIONS = {
    "above": _("高于(上升)"),
    "below": _("低于(下降)"),
    "both": _("双向(变化幅度)"),
}


class FiniteFloatField(forms.FloatField):
    """A float that is a real number (no inf or NaN, which FloatField lets through as text "inf")."""

    def to_python(self, value: Any) -> float | None:
        number = super().to_python(value)
        if number is not None and not math.isfinite(number):
            raise forms.ValidationError(_("请输入有限的数字"), code="invalid")
        return number


def _number(value: Any) -> str | None:
    """A stored threshold as people write it (20, not 20.0)."""
    if value is None:
        return None
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _range_of(sensor_type: str) -> tuple[str, float, float]:
    unit, lo, hi = TYPE_UNITS.get(sensor_type, ("", -1e9, 1e9))
    return unit, float(lo), float(hi)


class RuleForm(forms.Form):
    """One rule's switch, name, source and parameters. The fields offered depend on its kind:
    levels (threshold, rate), severity (event, no data), hold time (event), minutes (no data);
    a rainfall accumulation rule follows the national signal table and only its switch and text change."""

    name = forms.CharField(label=_("名称"), max_length=120)
    enabled = forms.BooleanField(label=_("启用"), required=False)
    source = forms.CharField(label=_("来源"), max_length=300, required=False)
    is_example = forms.BooleanField(label=_("示例值(待本市设定)"), required=False)
    effective_from = forms.DateField(
        label=_("生效日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, rule: Rule, sensor_type: str, **kwargs: Any) -> None:
        self.rule = rule
        self.kind = rule.kind
        self.sensor_type = sensor_type
        params = rule.params or {}
        initial = {
            "name": rule.name,
            "enabled": rule.enabled,
            "source": rule.source,
            "is_example": rule.is_example,
            "effective_from": rule.effective_from,
        }
        super().__init__(*args, initial=initial, **kwargs)
        unit, lo, hi = _range_of(sensor_type)
        self.unit = unit + ("/min" if self.kind == RuleKind.RATE else "")
        if self.kind in (RuleKind.THRESHOLD, RuleKind.RATE):
            held = {int(lv["severity"]): lv for lv in params.get("levels", []) if "severity" in lv}
            directions = list(DIRECTIONS.items())
            if self.kind == RuleKind.THRESHOLD:
                directions = directions[:2]
            self.fields["direction"] = forms.ChoiceField(
                label=_("方向"), choices=directions, initial=params.get("direction", "above")
            )
            for level in LEVELS:
                lv = held.get(level, {})
                self.fields[f"on_{level}"] = FiniteFloatField(
                    label=_("报警值"), required=False, initial=_number(lv.get("on"))
                )
                self.fields[f"off_{level}"] = FiniteFloatField(
                    label=_("恢复值"), required=False, initial=_number(lv.get("off"))
                )
                self.fields[f"label_{level}"] = forms.CharField(
                    label=_("说明"), required=False, max_length=60, initial=lv.get("label", "")
                )
            self.fields["for_seconds"] = forms.IntegerField(
                label=_("持续秒数"),
                min_value=0,
                max_value=MAX_FOR_SECONDS,
                required=False,
                initial=params.get("for_seconds", 0),
            )
            self.fields["for_samples"] = forms.IntegerField(
                label=_("连续读数"),
                min_value=0,
                max_value=MAX_FOR_SAMPLES,
                required=False,
                initial=params.get("for_samples", 0),
            )
        if self.kind in (RuleKind.EVENT, RuleKind.NODATA):
            self.fields["severity"] = forms.TypedChoiceField(
                label=_("级别"),
                choices=Severity.choices,
                coerce=int,
                initial=str(params.get("severity", 3 if self.kind == RuleKind.EVENT else 2)),
            )
        if self.kind == RuleKind.EVENT:
            self.fields["hold_seconds"] = forms.IntegerField(
                label=_("无新事件多少秒后恢复"),
                min_value=10,
                max_value=MAX_HOLD_SECONDS,
                initial=params.get("hold_seconds", 300),
            )
        if self.kind == RuleKind.NODATA:
            self.fields["nodata_minutes"] = forms.IntegerField(
                label=_("无数据多少分钟视为离线"),
                min_value=1,
                max_value=MAX_NODATA_MINUTES,
                initial=params.get("nodata_minutes", 10),
            )
        self.range = (lo, hi)

    def level_rows(self) -> list[dict[str, Any]]:
        """The four level rows for the template (colour, fields)."""
        names = dict(Severity.choices)
        return [
            {
                "level": level,
                "name": names[str(level)],
                "colour": SEVERITY_COLOURS[level],
                "on": self[f"on_{level}"],
                "off": self[f"off_{level}"],
                "label": self[f"label_{level}"],
            }
            for level in LEVELS
            if f"on_{level}" in self.fields
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.kind not in (RuleKind.THRESHOLD, RuleKind.RATE) or self.errors:
            return data
        direction = data.get("direction", "above")
        lo, hi = self.range
        span = hi - lo
        levels = []
        for level in LEVELS:
            on, off = data.get(f"on_{level}"), data.get(f"off_{level}")
            if on is None:
                if off is not None:
                    self.add_error(f"on_{level}", _("填写了恢复值,也须填写报警值"))
                continue
            if self.kind == RuleKind.THRESHOLD:
                for name, value in ((f"on_{level}", on), (f"off_{level}", off)):
                    if value is not None and not lo <= value <= hi:
                        self.add_error(
                            name,
                            _("超出该类传感器的量程 %(lo)s – %(hi)s %(unit)s")
                            % {"lo": f"{lo:g}", "hi": f"{hi:g}", "unit": self.unit},
                        )
            else:
                # A rise is positive, a fall negative, a change (both) a magnitude: a rise rule at 0
                # would call a steady level a rise.
                if direction == "below" and on >= 0:
                    self.add_error(f"on_{level}", _("下降速率的报警值应为负数"))
                elif direction != "below" and on <= 0:
                    self.add_error(f"on_{level}", _("上升速率的报警值应为正数"))
                if abs(on) > span:
                    self.add_error(f"on_{level}", _("每分钟变化超过该类传感器的整个量程"))
            if off is not None:
                if direction == "below" and off < on:
                    self.add_error(f"off_{level}", _("恢复值不能低于报警值(回差)"))
                elif direction != "below" and off > on:
                    self.add_error(f"off_{level}", _("恢复值不能高于报警值(回差)"))
                if self.kind == RuleKind.RATE and (off < 0 < on or on < 0 < off):
                    self.add_error(f"off_{level}", _("恢复值与报警值应同号"))
            levels.append((level, on, off))
        if not levels and not self.errors:
            self.add_error("on_1", _("至少设定一个级别的报警值"))
        # A higher level is reached later: a larger value (above) or a smaller one (below).
        for (l1, on1, _o1), (l2, on2, _o2) in zip(levels, levels[1:], strict=False):
            worse = on2 > on1 if direction != "below" else on2 < on1
            if not worse:
                self.add_error(
                    f"on_{l2}",
                    _("%(higher)s的报警值应比%(lower)s更%(way)s")
                    % {
                        "higher": dict(Severity.choices)[str(l2)],
                        "lower": dict(Severity.choices)[str(l1)],
                        "way": _("低") if direction == "below" else _("高"),
                    },
                )
        return data

    def params(self) -> dict[str, Any]:
        """The rule's new parameters: the edited keys over the ones this form does not show
        (a schedule stays as it was)."""
        data = self.cleaned_data
        params = dict(self.rule.params or {})
        if self.kind in (RuleKind.THRESHOLD, RuleKind.RATE):
            params["levels"] = [
                {
                    "severity": level,
                    "on": data[f"on_{level}"],
                    **({"off": data[f"off_{level}"]} if data.get(f"off_{level}") is not None else {}),
                    "label": data.get(f"label_{level}", ""),
                }
                for level in LEVELS
                if data.get(f"on_{level}") is not None
            ]
            params["direction"] = data.get("direction") or "above"
            for key in ("for_seconds", "for_samples"):
                if data.get(key):
                    params[key] = data[key]
                else:
                    params.pop(key, None)
        if self.kind in (RuleKind.EVENT, RuleKind.NODATA):
            params["severity"] = data["severity"]
        if self.kind == RuleKind.EVENT:
            params["hold_seconds"] = data["hold_seconds"]
        if self.kind == RuleKind.NODATA:
            params["nodata_minutes"] = data["nodata_minutes"]
        return params

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "enabled": data["enabled"],
            "source": data.get("source", ""),
            "is_example": data["is_example"],
            "effective_from": data.get("effective_from"),
            "params": self.params(),
        }


ROLE_CHOICES = [(r.value, r.label) for r in Role if r not in (Role.PUBLIC, Role.INTEGRATION, Role.ENTERPRISE)]
MAX_STEPS = 4


class PolicyForm(forms.ModelForm):
    """An escalation policy and its steps (up to four): who is told, and after how many minutes
    without an acknowledgement."""

    class Meta:
        model = EscalationPolicy
        fields = ["name", "department", "division", "sensor_type", "min_severity", "repeat", "is_active"]

    def __init__(self, *args: Any, departments: Any, divisions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["division"].queryset = divisions
        self.fields["division"].required = True
        self.fields["min_severity"] = forms.TypedChoiceField(
            label=_("最低级别"), choices=Severity.choices, coerce=int, initial="1"
        )
        self.fields["repeat"].max_value = 10
        self.fields["repeat"].validators.append(_max(10))
        steps = list(self.instance.steps.order_by("order")) if self.instance.pk else []
        for i in range(1, MAX_STEPS + 1):
            step = steps[i - 1] if i <= len(steps) else None
            self.fields[f"step_{i}_delay"] = forms.IntegerField(
                label=_("未确认多少分钟后"),
                min_value=0,
                max_value=24 * 60,
                required=False,
                initial=step.delay_minutes if step else None,
            )
            self.fields[f"step_{i}_on_duty"] = forms.BooleanField(
                label=_("通知值班人员"), required=False, initial=step.notify_on_duty if step else i == 1
            )
            self.fields[f"step_{i}_roles"] = forms.MultipleChoiceField(
                label=_("通知这些角色"),
                choices=ROLE_CHOICES,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                initial=list(step.roles) if step else [],
            )

    def step_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "n": i,
                "delay": self[f"step_{i}_delay"],
                "on_duty": self[f"step_{i}_on_duty"],
                "roles": self[f"step_{i}_roles"],
            }
            for i in range(1, MAX_STEPS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        steps = []
        previous = -1
        for i in range(1, MAX_STEPS + 1):
            delay = data.get(f"step_{i}_delay")
            on_duty = data.get(f"step_{i}_on_duty")
            roles = data.get(f"step_{i}_roles") or []
            if delay is None:
                if roles:
                    self.add_error(f"step_{i}_delay", _("请填写分钟数"))
                continue
            if not on_duty and not roles:
                self.add_error(f"step_{i}_roles", _("这一步没有通知任何人"))
            if delay <= previous and steps:
                self.add_error(f"step_{i}_delay", _("后一步的时间应晚于前一步"))
            previous = delay
            steps.append({"delay_minutes": delay, "notify_on_duty": bool(on_duty), "roles": list(roles)})
        if not steps and not self.errors:
            self.add_error("step_1_delay", _("至少设定一步"))
        if steps and steps[0]["delay_minutes"] != 0 and not self.errors:
            self.add_error("step_1_delay", _("第一步在报警产生时通知(0 分钟)"))
        self.steps = steps
        return data


def _max(limit: int) -> Any:
    from django.core.validators import MaxValueValidator

    return MaxValueValidator(limit)


class SilenceForm(forms.Form):
    """A silence (alarms recorded, nobody told) or a maintenance window (no alarms), for a device
    (by its code) or a whole division, from a start to an end (at most 30 days)."""

    kind = forms.ChoiceField(label=_("类别"), choices=SilenceKind.choices)
    device = forms.CharField(label=_("设备编码"), max_length=64, required=False)
    division = forms.ModelChoiceField(label=_("区划"), queryset=None, required=False)
    starts_at = forms.DateTimeField(label=_("开始"), required=False)
    ends_at = forms.DateTimeField(label=_("到期"))
    reason = forms.CharField(label=_("原因"), max_length=200)

    def __init__(self, *args: Any, devices: Any, divisions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.devices = devices
        self.fields["division"].queryset = divisions
        for name in ("starts_at", "ends_at"):
            self.fields[name].widget = forms.DateTimeInput(attrs={"type": "datetime-local"})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        code = (data.get("device") or "").strip()
        data["device_obj"] = None
        if code:
            data["device_obj"] = self.devices.filter(code=code).first()
            if data["device_obj"] is None:
                self.add_error("device", _("没有这个设备,或不在您的管辖范围内"))
        elif not data.get("division"):
            self.add_error("device", _("请填写设备编码或选择区划"))
        return data


class SilenceEditForm(forms.Form):
    ends_at = forms.DateTimeField(
        label=_("到期"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(label=_("原因"), max_length=200)


class DeviceForm(forms.ModelForm):
    """A device's record. Its code, division and enterprise are its identity (set on import); the
    state offered is in service, maintenance or retired ("offline" is the pipeline's finding)."""

    class Meta:
        model = Device
        fields = ["name", "model_name", "department", "lat", "lon", "state"]

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["department"].required = True
        states = [(v, label) for v, label in DeviceState.choices if v != DeviceState.OFFLINE]
        if self.instance.state == DeviceState.OFFLINE:
            states.insert(1, (DeviceState.OFFLINE, DeviceState.OFFLINE.label))
        self.fields["state"] = forms.ChoiceField(label=_("状态"), choices=states)
        self.fields["lat"] = FiniteFloatField(label=_("纬度"), required=False, min_value=-90, max_value=90)
        self.fields["lon"] = FiniteFloatField(label=_("经度"), required=False, min_value=-180, max_value=180)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (data.get("lat") is None) != (data.get("lon") is None):
            self.add_error("lon", _("经纬度须同时填写"))
        return data
