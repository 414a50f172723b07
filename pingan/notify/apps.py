from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pingan.core.nav import NavItem


class NotifyConfig(AppConfig):
    name = "pingan.notify"
    label = "notify"
    verbose_name = _("消息通知")
    nav_items = [
        NavItem(_("消息"), "notify:inbox", perm="notify.view_inbox", order=900),
        NavItem(_("通知设置"), "notify:preferences", perm="notify.edit_preferences", order=910),
    ]

    def ready(self) -> None:
        from pingan.core.templatetags.pingan import register_action_labels

        from . import calendar_gap  # noqa: F401  (registers its periodic task with huey)

        register_action_labels(
            {
                "notify.preference.update": _("修改通知设置"),
                "notify.preference.admin_change": _("后台修改通知设置"),
                "notify.message.admin_change": _("后台修改消息"),
            }
        )
