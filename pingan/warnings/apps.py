from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pingan.core.nav import NavItem


class WarningsConfig(AppConfig):
    name = "pingan.warnings"
    label = "warnings"
    verbose_name = _("预警发布")
    dashboard_layers = "pingan.warnings.dashboard.layers"
    dashboard_kpis = "pingan.warnings.dashboard.kpis"
    dashboard_figures = "pingan.warnings.figures.figures"

    nav_items = [
        NavItem(_("预警发布"), "warnings:list", perm="warnings.view_list", order=60),
    ]
    portal_items = [
        (_("预警信息"), "warnings-public:list", _("正在生效的预警:地图、列表与订阅")),
    ]

    def ready(self) -> None:
        from django.apps import apps

        from pingan.core.templatetags.pingan import register_action_labels

        from .actions import ACTION_LABELS

        register_action_labels(ACTION_LABELS)
        if apps.is_installed("pingan.monitoring"):
            from pingan.monitoring.services import hydromet

            from .receivers import on_hydromet

            hydromet.connect(on_hydromet, dispatch_uid="warnings.on_hydromet")
