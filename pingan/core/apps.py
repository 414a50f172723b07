from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from .nav import NavItem


class CoreConfig(AppConfig):
    name = "pingan.core"
    label = "core"
    verbose_name = _("平台核心")
    nav_items = [
        NavItem(_("工作台"), "core:home", order=0),
        NavItem(_("审计日志"), "core:audit", roles=frozenset({"city_admin", "area_staff", "dept_staff"}), order=900),
    ]

    def ready(self) -> None:
        from . import audit

        audit.connect_login_signals()  # login, failure and lock-out of every door are audited
