from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's login form. The lock-out is django-axes' (settings.AXES_*), the same for every door
    including /admin/: a locked (username, address) pair gets pingan.core.middleware.lockout_response,
    whatever the password, and login, failure and lock-out are audited by pingan.core.audit's
    signal receivers."""
