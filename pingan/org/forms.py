from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .actions import do_record_login_failure, do_record_login_success, is_locked
from .models import User


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's login form plus lock-out after repeated failures.

    A locked account is refused before its password is checked, with the same message whether or
    not the password was right, so a locked account cannot be used to test passwords.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("连续登录失败次数过多,账号已临时锁定,请稍后再试或联系管理员。"),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if username:
            existing = User.objects.filter(username=username).only("locked_until").first()
            if existing is not None and is_locked(existing):
                raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                user = do_record_login_failure(username)
                if user is not None and is_locked(user):
                    raise forms.ValidationError(self.error_messages["locked"], code="locked") from None
            raise
        if self.user_cache is not None:
            do_record_login_success(self.user_cache)
        return cleaned
