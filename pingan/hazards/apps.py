from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pingan.core.nav import NavItem


class HazardsConfig(AppConfig):
    name = "pingan.hazards"
    label = "hazards"
    verbose_name = _("隐患治理")
    dashboard_kpis = "pingan.hazards.dashboard.kpis"
    dashboard_figures = "pingan.hazards.figures.figures"
    dashboard_layers = "pingan.hazards.dashboard.layers"
    # The enterprise workspace (org) collects a panel of the enterprise's own cases and self-reports.
    workspace_panels = "pingan.hazards.workspace.panels"

    # Each entry is shown only to people its permission lets in (permissions.py): the grid worker gets
    # report / cases of their grid / map of their grid; statistics are for the offices; the routing
    # table is edited by city administrators; a signed-in citizen gets "my reports".
    nav_items = [
        NavItem(_("隐患"), "hazards:list", perm="hazards.view_list", order=20),
        NavItem(_("隐患地图"), "hazards:map", perm="hazards.view_map", order=21),
        NavItem(_("隐患上报"), "hazards:create", perm="hazards.report", order=22),
        NavItem(_("隐患统计"), "hazards:stats", perm="hazards.view_stats", order=23),
        NavItem(_("派遣规则"), "hazards:routes", perm="hazards.edit_routes", order=24),
        NavItem(_("我的上报"), "hazards-public:mine", perm="hazards.view_my_reports", order=25),
    ]
    portal_items = [
        (_("举报安全隐患"), "hazards-public:report", _("随手拍,发现安全隐患请告诉我们(可匿名)")),
        (_("查询办理进度"), "hazards-public:track_form", _("凭查询码查看隐患处理进度并反馈")),
        (_("企业自查自报"), "hazards:create", _("生产经营单位登录后上报本单位自查发现的隐患")),
        (_("我的上报"), "hazards-public:mine", _("登录后查看您上报的隐患及办理进度")),
    ]

    def ready(self) -> None:
        from pingan.core.templatetags.pingan import register_action_labels

        from . import deadline_handlers
        from .actions import ACTION_LABELS

        deadline_handlers.register_all()
        from django.db.models.signals import post_save

        from pingan.geo.models import Division

        from .models import sync_division_path

        post_save.connect(sync_division_path, sender=Division, dispatch_uid="hazards.division_path")
        register_action_labels(
            {f"hazards.case.{k}": v for k, v in ACTION_LABELS.items()}
            | {
                "hazards.case.submit": _("上报"),
                "hazards.case.plan": _("编制治理方案"),
                "hazards.case.list": _("挂牌督办"),
                "hazards.case.task": _("更新任务"),
                "hazards.case.feedback": _("群众反馈"),
                "hazards.case.comment": _("意见"),
                "hazards.case.merged_in": _("并入重复隐患"),
                "hazards.case.apply_resume": _("申请恢复生产"),
                "hazards.case.review_resume": _("恢复生产审查"),
                "hazards.case.photo": _("添加照片"),
                "hazards.case.attachment": _("上传附件"),
                "hazards.case.notice": _("发出通知书"),
            }
        )
