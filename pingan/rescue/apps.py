from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pingan.core.nav import NavItem


class RescueConfig(AppConfig):
    name = "pingan.rescue"
    label = "rescue"
    verbose_name = _("救援力量")
    dashboard_kpis = "pingan.rescue.dashboard.kpis"
    dashboard_layers = "pingan.rescue.dashboard.layers"
    nav_items = [
        NavItem(_("救援队伍"), "rescue:teams", order=60),
        NavItem(_("调度推荐"), "rescue:dispatch", order=61),
        NavItem(_("覆盖分析"), "rescue:coverage", order=62),
        NavItem(_("站点选址"), "rescue:siting", order=63),
    ]
    portal_items = [(_("应急避难场所"), "rescue:public-shelters", _("就近的应急避难场所与容纳人数"))]

    def ready(self) -> None:
        from pingan.core.templatetags.pingan import register_action_labels

        register_action_labels({
            "rescue.mobilisation.request": _("请求调用"), "rescue.mobilisation.assigned": _("已指派"),
            "rescue.mobilisation.standby": _("集结待命"), "rescue.mobilisation.mobilised": _("已出动"),
            "rescue.mobilisation.in_action": _("现场处置"), "rescue.mobilisation.demobilising": _("撤离"),
            "rescue.mobilisation.stood_down": _("归建"), "rescue.mobilisation.declined": _("拒绝"),
        })
