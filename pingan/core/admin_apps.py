"""django.contrib.admin with the platform's site (`pingan.core.admin_site`): superusers only, audited.

Kept apart from admin_site.py because INSTALLED_APPS imports this module before models can load.
"""

from django.contrib.admin.apps import AdminConfig


class PinganAdminConfig(AdminConfig):
    default_site = "pingan.core.admin_site.PinganAdminSite"
