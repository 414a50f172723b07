from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pingan.core.nav import NavItem


class AssessmentConfig(AppConfig):
    """党政同责、一岗双责: responsibility lists per post, signed yearly, and the city's annual assessment
    (考核) of districts and departments. A composition app like the command centre: it scores the
    figures every module contributes (pingan.dashboard.figures), so it sits beside the dashboard, not
    among the domain apps (decision 0015)."""

    name = "pingan.assessment"
    label = "assessment"
    verbose_name = _("责任与考核")
    nav_items = [
        NavItem(_("安全责任清单"), "assessment:lists", perm="assessment.view_lists", order=7),
        NavItem(_("年度考核"), "assessment:home", perm="assessment.view_assessment", order=8),
    ]

    def ready(self) -> None:
        from pingan.core import deadlines
        from pingan.core.templatetags.pingan import register_action_labels

        from .actions import ACTION_LABELS, SIGN_DEADLINE, remind_sign

        register_action_labels(ACTION_LABELS)
        deadlines.register(SIGN_DEADLINE, remind=remind_sign)
