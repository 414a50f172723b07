"""What the inspection actions share: the deadline kinds and the translation of a rule's error."""

from __future__ import annotations

from pingan.core.actions import ActionError

from .. import rules

RECTIFY_KIND = "inspections.rectify"
PUBLISH_KIND = "inspections.publish"
PAY_KIND = "inspections.pay"


def _rule_error(exc: rules.RuleError) -> ActionError:
    return ActionError(exc.message, field=exc.field, code=exc.code)
