"""Demo: a welcome message in every demo account's inbox (idempotent).

Written straight into the inbox (no outside deliveries), so seeding never sends mail or SMS.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from .models import Message

EVENT = "notify.welcome"


def seed(log: Callable[[str], None]) -> None:
    from pingan.core.demo_accounts import DEMO_ACCOUNTS

    User = get_user_model()
    usernames = [username for username, _role, _where in DEMO_ACCOUNTS]
    people = list(User.objects.filter(username__in=usernames, is_active=True))
    if not people:
        log("no demo accounts yet (org demo not loaded); skipped")
        return
    have = set(
        Message.objects.filter(event=EVENT, recipient__in=people).values_list("recipient_id", flat=True)
    )
    new = [
        Message(
            recipient=p,
            event=EVENT,
            url="/console/inbox/preferences/",
            title=_("欢迎使用平安清远平台(演示数据)"),
            body=_(
                "这是演示环境的欢迎消息。您可以在“通知设置”中选择邮件、紧急短信和个人 Webhook"
                "(通用 JSON、企业微信、钉钉群机器人)。"
            ),
        )
        for p in people
        if p.pk not in have
    ]
    Message.objects.bulk_create(new)
    log(f"welcome messages: {len(new)} new, {len(have)} already there")
