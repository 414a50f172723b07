from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pingan.core.nav import NavItem


class EmergencyConfig(AppConfig):
    name = "pingan.emergency"
    label = "emergency"
    verbose_name = _("应急值守")
    dashboard_kpis = "pingan.emergency.dashboard.kpis"
    dashboard_layers = "pingan.emergency.dashboard.layers"
    nav_items = [
        # The duty desk leads the app's menu (order 2: before hazards' 20), so that a duty officer
        # lands on it first after the home page; it is shown only to those who take calls.
        NavItem(_("值班台"), "emergency:console", perm="emergency.view_desk", order=2, icon="☎"),
        NavItem(_("突发事件"), "emergency:incidents", perm="emergency.browse", order=31, icon="⚠"),
        NavItem(_("值班排班"), "emergency:posts", perm="emergency.browse", order=32, icon="🗓"),
        NavItem(_("三防响应"), "emergency:sanfang_list", perm="emergency.browse", order=33, icon="🌧"),
        NavItem(_("事故定级"), "emergency:calculator", perm="emergency.browse", order=34, icon="⚖"),
    ]

    def ready(self) -> None:
        from pingan.core import deadlines
        from pingan.core.templatetags.pingan import register_action_labels

        from . import deadline_handlers as handlers
        from .actions import REPORT_DEADLINE, SANFANG_DEADLINE

        deadlines.register(REPORT_DEADLINE, remind=handlers.remind_report, escalate=handlers.escalate_report)
        deadlines.register(SANFANG_DEADLINE, escalate=handlers.escalate_sanfang)
        register_action_labels(
            {
                "emergency.incident.record": _("接报登记"),
                "emergency.incident.regrade": _("事件定级变更"),
                "emergency.incident.supplement": _("续报"),
                "emergency.incident.response": _("应急响应"),
                "emergency.incident.close": _("事件结束"),
                "emergency.incident.finding": _("报送问题认定"),
                "emergency.report.send": _("报送"),
                "emergency.report.acknowledge": _("签收报告"),
                "emergency.report.external": _("登记上级报送"),
                "emergency.report.overdue": _("超时未报"),
                "emergency.rotation.generate": _("生成排班"),
                "emergency.swap.request": _("换班申请"),
                "emergency.swap.decide": _("换班审批"),
                "emergency.handover.record": _("交接班"),
                "emergency.sanfang.start": _("启动三防响应"),
                "emergency.sanfang.level": _("调整三防响应"),
                "emergency.sanfang.end": _("终止三防响应"),
                "emergency.sanfang.report": _("三防报告"),
            }
        )
