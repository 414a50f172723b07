from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pingan.core.nav import NavItem


class GeoConfig(AppConfig):
    name = "pingan.geo"
    label = "geo"
    verbose_name = _("行政区划")
    nav_items = [NavItem(_("行政区划"), "geo:index", order=80)]

    def ready(self) -> None:
        from pingan.core.templatetags.pingan import register_action_labels

        register_action_labels({"geo.division.import": _("导入行政区划")})
