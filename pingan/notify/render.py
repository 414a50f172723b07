"""What each channel says for a message. Rendered when the delivery is queued (so the row shows
exactly what goes out), in the site language, with absolute links when SITE_URL is set."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import conf

SITE = "平安清远"
SMS_LIMIT = 200
ROBOT_BODY_LIMIT = 1500  # WeCom caps markdown content at 4096 bytes (about 1,300 CJK characters)


def absolute(url: str) -> str:
    if not url or "://" in url:
        return url
    base = (conf.get("SITE_URL") or "").rstrip("/")
    return f"{base}{url}" if base else url


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render(channel: str, message: Any) -> dict[str, Any]:
    with translation.override(settings.LANGUAGE_CODE):
        return _RENDERERS[channel](message)


def _email(m: Any) -> dict[str, Any]:
    urgent = _("【紧急】") if m.urgent else ""
    parts = [m.title, "", m.body] if m.body else [m.title]
    if m.url:
        parts += ["", _("查看详情:%(url)s") % {"url": absolute(m.url)}]
    parts += ["", "—", _("此邮件由平安清远平台自动发送,请勿直接回复。")]
    return {"subject": f"[{SITE}] {urgent}{m.title}", "body": "\n".join(parts)}


def _sms(m: Any) -> dict[str, Any]:
    text = (_("【紧急】") if m.urgent else "") + m.title
    if m.body:
        text += ":" + m.body
    link = absolute(m.url) if "://" in absolute(m.url) else ""
    room = SMS_LIMIT - (len(link) + 1 if link else 0)
    text = _clip(text, room) + (f" {link}" if link else "")
    return {"text": text}


def _webhook(m: Any) -> dict[str, Any]:
    return {
        "type": "pingan.notification",
        "version": 1,
        "message_id": m.pk,
        "event": m.event,
        "title": m.title,
        "body": m.body,
        "url": absolute(m.url),
        "urgent": m.urgent,
        "created_at": m.created_at.isoformat(),
        "recipient": getattr(m.recipient, "username", None),
    }


def _markdown_lines(m: Any, urgent_mark: str) -> list[str]:
    lines = [f"{urgent_mark}**{m.title}**"]
    if m.body:
        lines += [""] + [
            f"> {line}" if line else ">" for line in _clip(m.body, ROBOT_BODY_LIMIT).splitlines()
        ]
    if m.url:
        more = _("查看详情")
        lines += ["", f"[{more}]({absolute(m.url)})"]
    lines += ["", f'<font color="comment">{SITE} · {timezone.localtime(m.created_at):%Y-%m-%d %H:%M}</font>']
    return lines


def _wecom(m: Any) -> dict[str, Any]:
    urgent = _("【紧急】")
    mark = f'<font color="warning">{urgent}</font>' if m.urgent else ""
    return {"msgtype": "markdown", "markdown": {"content": "\n".join(_markdown_lines(m, mark))}}


def _dingtalk(m: Any) -> dict[str, Any]:
    mark = _("【紧急】") if m.urgent else ""
    lines = _markdown_lines(m, mark)
    lines[0] = f"#### {lines[0]}"
    # The footer names the platform, so a robot secured by keyword (自定义关键词 "平安") accepts it.
    return {
        "msgtype": "markdown",
        "markdown": {"title": f"{mark}{m.title}", "text": "\n\n".join(line for line in lines if line != "")},
    }


_RENDERERS = {"email": _email, "sms": _sms, "webhook": _webhook, "wecom": _wecom, "dingtalk": _dingtalk}
