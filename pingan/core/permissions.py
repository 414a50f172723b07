"""One permission model for the whole platform.

Each app has a `permissions.py` of pure predicates, `can_<verb>(user, obj=None) -> bool`, written with
`Role` values and scopes. That module is the **only** place that decides who may do what; everything
else asks it by name, ``"<app label>.<verb>"``:

- actions:     ``require(actor, "hazards.assign", case, _("…"))`` raises `Forbidden` (403) when refused;
- views:       ``ConsoleGate`` / ``@console_view("hazards.view_list")`` (anonymous → login, refused →
               the friendly 403 page), and ``may(request.user, "hazards.assign", case)`` for context;
- templates:   ``{% load pingan %}{% can "hazards.assign" case as may_assign %}{% if may_assign %}…``;
- the API:     ``permission_classes = [CanPermission]`` with ``permission_map = {"create":
               "hazards.report", "assign": "hazards.assign"}`` on the viewset;
- navigation:  ``NavItem(..., perm="hazards.view_routes")``.

Visibility is a separate, earlier question answered by `visible_to(user)`: an object out of scope is a
404 before any `can_*` is asked, so a predicate may assume the object is visible to the user.

The helpers below are the vocabulary the apps' predicates are written in.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .actions import Forbidden

if TYPE_CHECKING:  # pragma: no cover
    from typing import TypeAlias, TypeGuard

    from django.contrib.auth.models import AnonymousUser

    from pingan.geo.models import Division
    from pingan.org.models import User

    # Who is asking: a person (the user model), an anonymous visitor, or nobody (system jobs).
    Actor: TypeAlias = User | AnonymousUser | None

Predicate = Callable[..., bool]

_cache: dict[str, Predicate] = {}


def predicate(name: str) -> Predicate:
    """The function behind ``"app.verb"``: ``pingan.<app>.permissions.can_<verb>``.

    An unknown name is a programming error and raises at once (LookupError), so a typo in a template
    or a permission map cannot silently hide or offer a button.
    """
    fn = _cache.get(name)
    if fn is not None:
        return fn
    try:
        app, verb = name.split(".", 1)
    except ValueError as exc:
        raise LookupError(f"permission names are 'app.verb', got {name!r}") from exc
    module = importlib.import_module(f"pingan.{app}.permissions")
    found: Predicate | None = getattr(module, f"can_{verb}", None)
    if found is None:
        raise LookupError(f"pingan.{app}.permissions has no can_{verb}")
    _cache[name] = found
    return found


def may(user: Actor, name: str, obj: Any = None) -> bool:
    """Whether `user` may do `name` (to `obj`, which the user can already see)."""
    # Anonymous users are asked too: a predicate may allow them explicitly (public intake).
    return bool(predicate(name)(user, obj))


def require(
    user: Actor, name: str, obj: Any = None, message: Any = None, *, field: str | None = None
) -> None:
    """Raise `Forbidden` (403) unless `may(user, name, obj)`; actions' `check_*` call this."""
    if not may(user, name, obj):
        from django.utils.translation import gettext as _

        raise Forbidden(message or _("您没有执行此操作的权限"), field=field)


# --- The vocabulary predicates are written in --------------------------------------------------------
def signed_in(user: Actor) -> TypeGuard[User]:
    return bool(
        user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", True)
    )


def has_role(user: Actor, *roles: str) -> bool:
    """Signed in with one of `roles`; superusers pass every role test."""
    if not signed_in(user):
        return False
    return bool(user.is_superuser or user.role in roles)


def is_staff(user: Actor) -> bool:
    """A person of a government role (the console's people)."""
    return signed_in(user) and bool(user.is_staff_role)


def is_desk_staff(user: Actor) -> bool:
    """Government staff whose work is at a desk: not grid workers (their job is in the field, reached
    through their tasks and their grid's map) nor integration accounts (machines, through the API).
    Modules use it for the registers they put in the menu, so a grid worker's menu stays short."""
    from pingan.org.choices import Role

    if not signed_in(user) or not is_staff(user):
        return False
    return bool(user.is_superuser or user.role not in (Role.GRID_WORKER, Role.INTEGRATION))


def is_city_admin(user: Actor) -> bool:
    return signed_in(user) and bool(user.sees_everything)


def is_city_level(user: Actor) -> bool:
    """Someone whose jurisdiction is the whole city (city administrators, city bureaus' staff)."""
    if not signed_in(user):
        return False
    if user.sees_everything:
        return True
    division = getattr(user, "division", None)
    return bool(division is not None and division.parent_id is None)


def covers(user: Actor, division: Division | None) -> bool:
    """The division lies inside the user's own area (the user's division or below it)."""
    if not signed_in(user) or division is None:
        return False
    if user.sees_everything:
        return True
    path = user.scope_path
    return bool(path) and division.path.startswith(path)


def same_department(user: Actor, department_id: int | None) -> bool:
    return bool(signed_in(user) and department_id and getattr(user, "department_id", None) == department_id)


def own_enterprise(user: Actor, enterprise_id: int | None) -> bool:
    from pingan.org.choices import Role

    return bool(
        signed_in(user)
        and enterprise_id
        and user.role == Role.ENTERPRISE
        and user.enterprise_id == enterprise_id
    )


# --- Views --------------------------------------------------------------------------------------------
def gate(request: HttpRequest, name: str | None, obj: Any = None) -> HttpResponse | None:
    """The console's door: None to go on, or the response that stops the request.

    Anonymous people go to the login page; a signed-in person who may not is refused with the
    friendly 403 page in their language (PermissionDenied → templates/403.html). With `name` None
    the door is "a console person at all": government staff (enterprise users have their own
    workspace pages, which name their own permission).
    """
    from django.contrib.auth.views import redirect_to_login  # needs the app registry: import late

    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    allowed = is_staff(user) if name is None else may(user, name, obj)
    if not allowed:
        raise PermissionDenied
    return None


class ConsoleGate:
    """Mixin for class-based console views: ``permission = "hazards.view_list"`` (None: staff)."""

    permission: str | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        stop = gate(request, self.permission)
        if stop is not None:
            return stop
        response: HttpResponse = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        return response


def console_view(
    name: str | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorator for function views: ``@console_view("emergency.view_desk")``."""

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            stop = gate(request, name)
            if stop is not None:
                return stop
            return view(request, *args, **kwargs)

        return inner

    return wrap


def allowed_names(user: Actor, names: Iterable[str], obj: Any = None) -> set[str]:
    """The subset of `names` the user may do — for templates that offer several buttons at once."""
    return {n for n in names if may(user, n, obj)}


# --- The platform core's own permissions ("core.<verb>") -----------------------------------------------
# The audit log is for city administrators (and superusers). There is no separate auditor role: adding
# one would be a new Role value and a migration of org; until then the people who answer for the whole
# city's records read them. District staff see an object's history on the object's own page.
def can_view_console(user: Any, obj: Any = None) -> bool:
    """The government console's home page (工作台)."""
    return is_staff(user)


def can_view_audit(user: Any, obj: Any = None) -> bool:
    return is_city_admin(user)


def can_export_audit(user: Any, obj: Any = None) -> bool:
    return can_view_audit(user, obj)


def can_manage_settings(user: Any, obj: Any = None) -> bool:
    """City-wide settings and imports (the working-day calendar, the settings page)."""
    return is_city_admin(user)


def can_edit_calendar(user: Any, obj: Any = None) -> bool:
    return is_city_admin(user)


def city_admins_q() -> Any:
    """People who may be city administrators, as a query (narrowing a search before `may` decides)."""
    from django.db.models import Q

    from pingan.org.choices import Role

    return Q(is_superuser=True) | Q(role=Role.CITY_ADMIN)


def can_use_admin(user: Any, obj: Any = None) -> bool:
    """Django's /admin/ is a superuser's tool; everyone else works in the console."""
    return signed_in(user) and bool(user.is_superuser)


def can_start_at_duty_desk(user: Any, obj: Any = None) -> bool:
    """People whose day begins at the duty desk: they land there after signing in."""
    from pingan.org.choices import Role

    return signed_in(user) and not user.is_superuser and user.role in (Role.DUTY_OFFICER, Role.DUTY_LEADER)
