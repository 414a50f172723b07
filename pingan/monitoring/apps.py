import os
import socket

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from pingan.core.nav import NavItem


def _simulate() -> bool:
    """The demo's sensor simulator runs with `make run` unless SIMULATE_SENSORS=0. It follows the demo
    switch (settings.DEMO), not DEBUG: the demo runs with DEBUG off, and a production deployment that
    turns DEBUG on to look at something must not start feeding it invented readings."""
    return bool(getattr(settings, "DEMO", False)) and os.environ.get("SIMULATE_SENSORS", "1") not in (
        "0",
        "false",
        "no",
    )


def _simulator_argv() -> list[str]:
    argv = ["simulate_sensors", "--wait-for-server", "--rate", "3"]
    if settings.MQTT_URL:
        argv += ["--via", "mqtt"]
    else:
        port = os.environ.get("PORT", "8000")
        argv += ["--via", "http", "--url", f"http://127.0.0.1:{port}/api/v1/ingest/readings/"]
    return argv


class MonitoringConfig(AppConfig):
    name = "pingan.monitoring"
    label = "monitoring"
    verbose_name = _("智慧监测")
    dashboard_kpis = "pingan.monitoring.dashboard.kpis"
    dashboard_figures = "pingan.monitoring.figures.figures"
    dashboard_layers = "pingan.monitoring.dashboard.layers"
    # The enterprise workspace collects its panels from every app that declares this hook.
    workspace_panels = "pingan.monitoring.workspace.panels"
    nav_items = [
        NavItem(_("监测报警"), "monitoring:console", perm="monitoring.view_console", order=30),
        NavItem(_("监测地图"), "monitoring:map", perm="monitoring.view_console", order=31),
        NavItem(_("报警研判"), "monitoring:triage", perm="monitoring.triage", order=32),
    ]

    @property
    def platform_processes(self) -> list:
        # MQTT_CONSUMERS (default 2) consumers in the shared subscription: the broker splits the stream
        # and one keeps going while the other restarts. The first keeps the historical client id (its
        # broker session and what it holds survive an upgrade).
        host = socket.gethostname()
        consumers = [
            (
                "mqtt" if i == 0 else f"mqtt{i + 1}",
                ["mqtt_consume", "--client-id", f"pingan-ingest-{host}" + ("" if i == 0 else f"-{i + 1}")],
                lambda: bool(settings.MQTT_URL),
            )
            for i in range(max(1, int(getattr(settings, "MQTT_CONSUMERS", 2))))
        ]
        return [*consumers, ("simulator", _simulator_argv(), _simulate)]

    def ready(self) -> None:
        from pingan.core.templatetags.pingan import register_action_labels

        register_action_labels(
            {
                "monitoring.alarm.raise": _("报警产生"),
                "monitoring.alarm.raise_severity": _("报警级别升高"),
                "monitoring.alarm.clear": _("报警自动恢复"),
                "monitoring.alarm.clear_by_hand": _("报警手动恢复"),
                "monitoring.alarm.acknowledge": _("报警已确认"),
                "monitoring.alarm.comment": _("添加备注"),
                "monitoring.alarm.escalate": _("报警升级通知"),
                "monitoring.alarm.open_case": _("发起隐患"),
                "monitoring.alarm.open_incident": _("发起事件"),
                "monitoring.alarm.open_warning": _("起草预警"),
                "monitoring.silence.create": _("设置静默/维护窗口"),
                "monitoring.device.rotate_token": _("更换设备令牌"),
                "monitoring.device.import": _("导入设备"),
                "monitoring.device.update": _("修改设备"),
                "monitoring.rule.update": _("修改监测规则"),
                "monitoring.rule.override": _("为传感器设定专用规则"),
                "monitoring.policy.create": _("新建升级策略"),
                "monitoring.policy.update": _("修改升级策略"),
                "monitoring.silence.update": _("修改静默/维护窗口"),
                "monitoring.silence.end": _("提前结束静默/维护窗口"),
            }
        )
