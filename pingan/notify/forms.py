from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import WEBHOOK_KINDS
from .models import Preference


class PreferenceForm(forms.Form):
    """The person's channels. Validation is the model's (Preference.clean via the action); this form
    only shapes the input. The secret is write-only: left empty, the stored one is kept."""

    email = forms.BooleanField(label=_("接收邮件通知"), required=False)
    sms = forms.BooleanField(label=_("紧急消息发送短信"), required=False)
    webhook_url = forms.URLField(
        label=_("个人 Webhook 地址"),
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(
            attrs={"placeholder": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"}
        ),
    )
    webhook_kind = forms.ChoiceField(
        label=_("Webhook 格式"), required=False, choices=[("", "—")] + WEBHOOK_KINDS
    )
    webhook_secret = forms.CharField(
        label=_("签名密钥"),
        required=False,
        max_length=100,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    clear_webhook_secret = forms.BooleanField(label=_("清除已保存的密钥"), required=False)

    @classmethod
    def for_preference(cls, pref: Preference, data: object = None) -> PreferenceForm:
        return cls(
            data=data,
            initial={
                "email": pref.email,
                "sms": pref.sms,
                "webhook_url": pref.webhook_url,
                "webhook_kind": pref.webhook_kind,
            },
        )
