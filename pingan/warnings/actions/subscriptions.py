"""A person's subscriptions to the warnings of a town."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from pingan.core import audit
from pingan.core.actions import ActionError
from pingan.core.permissions import require
from pingan.geo.models import Division


@transaction.atomic
def do_subscribe(actor: Any, division: Division) -> Any:
    from ..models import Subscription

    require(actor, "warnings.subscribe", None, _("请先登录"))
    if division.level != "town":
        raise ActionError(_("请选择乡镇或街道"), field="division")
    sub, created = Subscription.objects.get_or_create(user=actor, division=division)
    if created:
        audit.record("warnings.subscription.create", sub, actor=actor, after={"division": division.code})
    return sub


@transaction.atomic
def do_unsubscribe(actor: Any, subscription: Any) -> None:
    require(actor, "warnings.subscribe", subscription, _("只能取消本人的订阅"))
    audit.record(
        "warnings.subscription.delete",
        subscription,
        actor=actor,
        before={"division": subscription.division.code},
    )
    subscription.delete()
