from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pingan.core.nav import NavItem


class DashboardConfig(AppConfig):
    name = "pingan.dashboard"
    label = "dashboard"
    verbose_name = _("指挥中心")
    nav_items = [
        NavItem(_("指挥中心"), "dashboard:home", perm="dashboard.view_command_centre", order=5),
        NavItem(_("资源均衡"), "dashboard:balance", perm="dashboard.view_command_centre", order=6),
    ]
