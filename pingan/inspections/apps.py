from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pingan.core.nav import NavItem


class InspectionsConfig(AppConfig):
    name = "pingan.inspections"
    label = "inspections"
    verbose_name = _("执法检查")
    dashboard_figures = "pingan.inspections.figures.figures"

    nav_items = [
        NavItem(_("执法检查"), "inspections:list", perm="inspections.use_console", order=40),
        NavItem(_("抽查计划"), "inspections:plans", perm="inspections.use_console", order=41),
        NavItem(_("一单两库"), "inspections:registers", perm="inspections.view_registers", order=42),
        NavItem(_("特殊作业"), "inspections:permits", perm="inspections.view_permits", order=43),
        NavItem(_("行政处罚台账"), "inspections:penalties", perm="inspections.view_penalties", order=44),
        NavItem(_("执法统计"), "inspections:stats", perm="inspections.view_penalties", order=45),
    ]
    portal_items = [
        (
            _("执法检查结果公示"),
            "inspections-public:results",
            _("双随机抽查和执法检查的结果,检查结束后20个工作日内公示"),
        ),
        (
            _("双随机抽取验证"),
            "inspections-public:verify_index",
            _("公开抽取的随机种子和输入,任何人都可复算验证"),
        ),
    ]

    def ready(self) -> None:
        from pingan.core.templatetags.pingan import register_action_labels

        from . import deadline_handlers

        deadline_handlers.register_all()
        register_action_labels(
            {
                "inspections.plan.create": _("制定抽查计划"),
                "inspections.plan.draw": _("随机抽取"),
                "inspections.inspection.start": _("开始检查"),
                "inspections.inspection.reveal": _("暗查揭示"),
                "inspections.inspection.finish": _("结束检查"),
                "inspections.inspection.close": _("检查办结"),
                "inspections.inspection.publish": _("结果公示"),
                "inspections.finding.create": _("记录问题"),
                "inspections.finding.reinspect": _("复查"),
                "inspections.permit.apply": _("申请作业票"),
                "inspections.recusal.declare": _("登记回避关系"),
                "inspections.permit.approve": _("审批作业票"),
                "inspections.document.issue": _("制作执法文书"),
                "inspections.penalty.notify": _("行政处罚告知"),
                "inspections.penalty.decide": _("行政处罚决定"),
                "inspections.penalty.pay": _("罚款缴纳"),
            }
        )
