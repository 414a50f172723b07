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
                "rescue.team.create": _("新增队伍"),
                "rescue.team.update": _("修改队伍"),
                "rescue.team.readiness": _("变更战备状态"),
                "rescue.member.create": _("新增队员"),
                "rescue.member.update": _("修改队员"),
                "rescue.equipment.create": _("新增装备"),
                "rescue.equipment.update": _("修改装备"),
                "rescue.expert.create": _("新增专家"),
                "rescue.expert.update": _("修改专家"),
                "rescue.warehouse.create": _("新增仓库"),
                "rescue.warehouse.update": _("修改仓库"),
                "rescue.stockitem.create": _("新增库存物资"),
                "rescue.stockitem.update": _("修改库存物资"),
                "rescue.stock.issue": _("出库"),
                "rescue.stock.return": _("归还"),
                "rescue.stock.restock": _("补库"),
                "rescue.shelter.create": _("新增避难场所"),
                "rescue.shelter.update": _("修改避难场所"),
                "rescue.exercise.record": _("记录演练培训"),
                "rescue.exercise.update": _("修改演练培训"),
            }
        )
