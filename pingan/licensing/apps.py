from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pingan.core.nav import NavItem


class LicensingConfig(AppConfig):
    name = "pingan.licensing"
    label = "licensing"
    verbose_name = _("安全准入")

    nav_items = [
        NavItem(_("许可申请"), "licensing:list", perm="licensing.view", order=46),
        NavItem(_("安全许可证"), "licensing:licences", perm="licensing.view", order=47),
    ]
    portal_items = [
        (
            _("许可办理进度查询"),
            "licensing-public:track",
            _("凭申请编号和统一社会信用代码查询安全许可的办理进度和法定期限"),
        ),
    ]
    workspace_panels = "pingan.licensing.workspace.panels"

    def ready(self) -> None:
        from pingan.core.templatetags.pingan import register_action_labels

        from . import deadline_handlers

        deadline_handlers.register_all()
        register_action_labels(
            {
                "licensing.application.apply": _("提交许可申请"),
                "licensing.application.request_materials": _("一次性告知补正材料"),
                "licensing.application.supplement": _("补正材料"),
                "licensing.application.accept": _("受理"),
                "licensing.application.stop_clock": _("停止计时"),
                "licensing.application.resume_clock": _("恢复计时"),
                "licensing.application.decide": _("作出许可决定"),
                "licensing.licence.issue": _("发证"),
                "licensing.licence.sanction": _("暂扣或吊销许可证"),
            }
        )
