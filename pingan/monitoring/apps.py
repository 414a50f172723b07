from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "pingan.monitoring"
    label = "monitoring"
    verbose_name = _("智慧监测")
