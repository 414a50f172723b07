from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pingan.core.nav import NavItem


class FieldConfig(AppConfig):
    """The field app (移动端离线办理): an installable web app under /field/ for inspectors, grid workers
    and whoever does risk checks, that works without a network and syncs later (decision 0012)."""

    name = "pingan.field"
    label = "field"
    verbose_name = _("移动端")
    nav_items = [NavItem(_("移动端(可离线)"), "field:home", perm="field.use", order=90)]
