from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pingan.core.nav import NavItem


class OrgConfig(AppConfig):
    name = "pingan.org"
    label = "org"
    verbose_name = _("组织与人员")
    nav_items = [
        NavItem(_("企业工作台"), "org:workspace", perm="org.view_workspace", order=1),
        NavItem(_("生产经营单位"), "org:enterprise-list", perm="org.view_enterprises", order=30),
        NavItem(_("部门通讯录"), "org:department-list", perm="org.view_departments", order=85),
    ]
    settings_items = [
        NavItem(_("导入生产经营单位"), "org:enterprise-import", perm="org.import_enterprises", order=30)
    ]
    workspace_panels = "pingan.org.workspace.panels"

    def ready(self) -> None:
        from pingan.core.templatetags.pingan import register_action_labels

        register_action_labels(
            {
                "org.enterprise.create": _("登记单位"),
                "org.enterprise.update": _("修改单位信息"),
                "org.enterprise.import": _("批量导入单位"),
                "org.user.login": _("登录系统"),  # not "登录": the shell's "Sign in" link has that msgid
                "org.user.login_failed": _("登录失败"),
                "org.user.locked": _("账号锁定"),
                "org.user.unlocked": _("账号解锁"),
                "org.user.admin_add": _("后台新增人员"),
                "org.user.admin_change": _("后台修改人员"),
                "org.user.admin_delete": _("后台删除人员"),
                "org.enterprise.admin_change": _("后台修改单位信息"),
                "org.department.admin_change": _("后台修改部门"),
            }
        )
