from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pingan.core.nav import NavItem


class RisksConfig(AppConfig):
    name = "pingan.risks"
    label = "risks"
    verbose_name = _("风险防控")
    dashboard_kpis = "pingan.risks.dashboard.kpis"
    dashboard_figures = "pingan.risks.figures.figures"
    dashboard_layers = "pingan.risks.dashboard.layers"
    workspace_panels = "pingan.risks.workspace.panels"

    nav_items = [
        NavItem(_("风险点"), "risks:list", perm="risks.view_list", order=30),
        NavItem(_("排查任务"), "risks:tasks", perm="risks.view_list", order=31),
        NavItem(_("四色图"), "risks:map", perm="risks.view_map", order=32),
        NavItem(_("重大危险源"), "risks:mhs_list", perm="risks.browse_registers", order=33),
        NavItem(_("辨识计算器"), "risks:calculator", perm="risks.browse_registers", order=34),
        NavItem(_("安全承诺"), "risks:commitments", perm="risks.browse_registers", order=35),
        NavItem(_("城市生命线"), "risks:lifelines", perm="risks.view_lifelines", order=36),
    ]

    portal_items = [
        (_("企业安全承诺公告"), "risks-public:commitments", _("危险化学品企业每日安全风险研判与承诺")),
    ]

    def ready(self) -> None:
        from pingan.core.templatetags.pingan import register_action_labels

        from . import deadline_handlers
        from .actions import ACTION_LABELS

        deadline_handlers.register_all()
        register_action_labels(ACTION_LABELS)
