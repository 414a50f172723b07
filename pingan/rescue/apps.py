from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pingan.core.nav import NavItem


class RescueConfig(AppConfig):
    name = "pingan.rescue"
    label = "rescue"
    verbose_name = _("救援力量")
    dashboard_kpis = "pingan.rescue.dashboard.kpis"
    dashboard_figures = "pingan.rescue.figures.figures"
    dashboard_layers = "pingan.rescue.dashboard.layers"
    # A rescue team leader sees teams, mobilisations and drills; dispatchers the recommendation;
    # planners the coverage and siting analyses (rescue/permissions.py decides each).
    nav_items = [
        NavItem(_("救援队伍"), "rescue:teams", perm="rescue.browse", order=60),
        NavItem(_("调度推荐"), "rescue:dispatch", perm="rescue.view_dispatch", order=61),
        NavItem(_("队伍调用"), "rescue:mobilisations", perm="rescue.view_mobilisations", order=62),
        NavItem(_("演练培训"), "rescue:exercises", perm="rescue.view_mobilisations", order=63),
        NavItem(_("覆盖分析"), "rescue:coverage", perm="rescue.view_analysis", order=64),
        NavItem(_("站点选址"), "rescue:siting", perm="rescue.view_analysis", order=65),
    ]
    portal_items = [(_("应急避难场所"), "rescue:public-shelters", _("就近的应急避难场所与容纳人数"))]

    def ready(self) -> None:
        from pingan.core.templatetags.pingan import register_action_labels

        register_action_labels(
            {
                "rescue.mobilisation.request": _("请求调用"),
                "rescue.mobilisation.assigned": _("已指派"),
                "rescue.mobilisation.standby": _("集结待命"),
                "rescue.mobilisation.mobilised": _("已出动"),
                "rescue.mobilisation.in_action": _("现场处置"),
                "rescue.mobilisation.demobilising": _("撤离"),
                "rescue.mobilisation.stood_down": _("归建"),
                "rescue.mobilisation.declined": _("拒绝"),
                "rescue.coverage.start": _("发起覆盖分析"),
                "rescue.siting.start": _("发起站点选址"),
                "rescue.coveragerun.done": _("覆盖分析完成"),
                "rescue.sitingrun.done": _("站点选址完成"),
                "rescue.coveragerun.failed": _("覆盖分析失败"),
                "rescue.sitingrun.failed": _("站点选址失败"),
                "rescue.network.import": _("导入路网"),
                "rescue.network.synthetic": _("生成合成路网"),
            }
        )
