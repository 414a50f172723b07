from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pingan.core.nav import NavItem


class PortalConfig(AppConfig):
    name = "pingan.portal"
    label = "portal"
    verbose_name = _("公众门户")
    # A signed-in citizen's menu: their own reports and their state, then the public site.
    nav_items = [
        NavItem(_("举报隐患"), "hazards-public:report", perm="portal.use_citizen_menu", order=3),
        NavItem(_("公众首页"), "portal:home", perm="portal.use_citizen_menu", order=4),
    ]
