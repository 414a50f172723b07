"""The signed-in person, loaded with their division's path in the same query.

Every scoped request asks `User.scope_path` (the prefix of the division subtree the person sees);
loaded plainly, that was a second query on every console page and API call. Both ways in — the
session (Django's ModelBackend.get_user) and the API token (DRF's TokenAuthentication) — now read
the path with the person, as `User.scope_path` expects it (`division_path_`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db.models import F
from rest_framework import authentication
from rest_framework.authtoken.models import Token

from .models import User


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = User._default_manager.annotate(division_path_=F("division__path")).filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        token = (
            Token.objects.select_related("user")
            .annotate(division_path_=F("user__division__path"))
            .filter(key=key)
            .first()
        )
        if token is None or not token.user.is_active:
            return super().authenticate_credentials(key)  # DRF's own refusal, in DRF's words
        token.user.division_path_ = token.division_path_  # type: ignore[attr-defined]
        return token.user, token
