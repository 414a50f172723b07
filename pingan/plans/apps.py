from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pingan.core.nav import NavItem


class PlansConfig(AppConfig):
    name = "pingan.plans"
    label = "plans"
    verbose_name = _("应急预案")
    workspace_panels = "pingan.plans.workspace.panels"
    dashboard_figures = "pingan.plans.figures.figures"

    nav_items = [
        NavItem(_("应急预案"), "plans:list", perm="plans.view_list", order=35, icon="📋"),
    ]

    def ready(self) -> None:
        from pingan.core import deadlines
        from pingan.core.templatetags.pingan import register_action_labels

        from .actions import ACTION_LABELS, DRILL, EVALUATION, FILING, TASK, remind_deadline

        register_action_labels(ACTION_LABELS)
        for kind in (FILING, EVALUATION, DRILL, TASK):
            deadlines.register(kind, remind=remind_deadline)
