from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pingan.core.nav import NavItem


class CultureConfig(AppConfig):
    name = "pingan.culture"
    label = "culture"
    verbose_name = _("安全宣传教育")
    workspace_panels = "pingan.culture.workspace.panels"
    dashboard_figures = "pingan.culture.figures.figures"

    nav_items = [
        NavItem(_("宣传教育"), "culture:home", perm="culture.view_console", order=70),
    ]
    portal_items = [
        (_("安全知识与课程"), "culture-public:home", _("安全知识、事故案例、法律宣传、在线课程与证书查验")),
    ]

    def ready(self) -> None:
        from pingan.core import deadlines
        from pingan.core.templatetags.pingan import register_action_labels

        from .actions import ACTION_LABELS, REFRESHER, remind_refresher

        register_action_labels(ACTION_LABELS)
        deadlines.register(REFRESHER, remind=remind_refresher)
