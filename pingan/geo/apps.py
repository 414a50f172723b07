from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pingan.core.nav import NavItem


class GeoConfig(AppConfig):
    name = "pingan.geo"
    label = "geo"
    verbose_name = _("行政区划")
    nav_items = [NavItem(_("行政区划"), "geo:index", perm="geo.view_divisions", order=80)]
    settings_items = [NavItem(_("导入行政区划"), "geo:import", perm="geo.import_divisions", order=20)]

    def ready(self) -> None:
        from pingan.core.templatetags.pingan import register_action_labels

        register_action_labels(
            {"geo.division.import": _("导入行政区划"), "geo.division.admin_change": _("后台修改行政区划")}
        )
