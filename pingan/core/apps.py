from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from .nav import NavItem


class CoreConfig(AppConfig):
    name = "pingan.core"
    label = "core"
    verbose_name = _("平台核心")
    nav_items = [
        NavItem(_("工作台"), "core:home", perm="core.view_console", order=0),
        NavItem(_("系统设置"), "core:settings", perm="core.manage_settings", order=890),
        NavItem(_("审计日志"), "core:audit", perm="core.view_audit", order=900),
    ]
    settings_items = [
        NavItem(_("工作日调整"), "core:calendar", perm="core.edit_calendar", order=10),
        NavItem(_("审计日志"), "core:audit", perm="core.view_audit", order=90),
    ]

    def ready(self) -> None:
        from . import audit
        from .templatetags.pingan import register_action_labels

        audit.connect_login_signals()  # login, failure and lock-out of every door are audited
        # inf/NaN and integers beyond 64 bits are a 400 naming the field in every API serializer.
        from .fields import bound_drf_number_fields

        bound_drf_number_fields()

        register_action_labels(
            {
                "core.calendar.set": _("调整工作日"),
                "core.calendar.delete": _("删除工作日调整"),
                "core.audit.export": _("导出审计日志"),
                "core.list.export": _("导出列表"),
                "core.calendaroverride.admin_add": _("后台新增工作日调整"),
                "core.calendaroverride.admin_change": _("后台修改工作日调整"),
                "core.calendaroverride.admin_delete": _("后台删除工作日调整"),
                "core.deadline.admin_change": _("后台修改期限"),
            }
        )
