"""Who may do what with inspections and special-work permits — the only place that decides it.

``obj`` is already visible to the user (`visible_to` answered 404 before); ``obj=None`` asks "may
this person do this at all". The people:
- the enforcement offices (department staff of a department, city administrators) keep the registers,
  write plans and run their draws;
- the drawn inspectors (at least two, with valid certificates) start, record, finish and re-inspect
  their inspection — nobody else speaks for them;
- an enterprise applies for its special-work permits and approves them by its own grade rule;
  offices read the permits filed in their area.
"""

from __future__ import annotations

from typing import Any

from pingan.core.permissions import (
    covers,
    has_role,
    is_city_admin,
    is_staff,
    own_enterprise,
    same_department,
    signed_in,
)
from pingan.org.choices import Role


def is_office(user: Any) -> bool:
    """A person of an enforcement office: department staff of a department, or a city administrator."""
    if is_city_admin(user):
        return True
    return has_role(user, Role.DEPT_STAFF) and bool(getattr(user, "department_id", None))


def is_drawn_inspector(user: Any, inspection: Any) -> bool:
    if inspection is None or not signed_in(user):
        return False
    return bool(inspection.inspectors.filter(user=user).exists())


# --- Reads ----------------------------------------------------------------------------------------
def can_view(user: Any, obj: Any = None) -> bool:
    """Read inspections through the API: staff, and enterprises (their own, once revealed)."""
    return is_staff(user) or has_role(user, Role.ENTERPRISE)


def can_use_console(user: Any, obj: Any = None) -> bool:
    """The inspection pages of the console: government staff (not the grid worker: 2024 national rules
    forbid grid and auxiliary staff from carrying out administrative inspections)."""
    return is_staff(user) and not has_role(user, Role.GRID_WORKER) or is_city_admin(user)


def can_view_registers(user: Any, obj: Any = None) -> bool:
    """一单两库: the item list, targets and inspectors (the inspector register holds certificates)."""
    return can_use_console(user, obj)


def can_view_items(user: Any, obj: Any = None) -> bool:
    """The spot-check item list is public (双随机一公开 publishes what is checked)."""
    return True


def can_verify_draw(user: Any, obj: Any = None) -> bool:
    """Anyone may re-run a published draw (visibility hides the draws of hidden plans)."""
    return True


# --- Registers and plans ----------------------------------------------------------------------------
def can_edit_registers(user: Any, obj: Any = None) -> bool:
    return is_office(user)


def can_declare_recusal(user: Any, obj: Any = None) -> bool:
    """Record a relation that requires recusal (`obj` the inspector): the inspector declares their own,
    an enforcement office records one for its inspectors (the agency head decides on the party's
    application)."""
    if obj is None:
        return is_office(user) or has_role(user, Role.INSPECTOR)
    return (
        (signed_in(user) and obj.user_id == user.pk)
        or is_city_admin(user)
        or (is_office(user) and same_department(user, obj.department_id))
    )


def can_create_plan(user: Any, obj: Any = None) -> bool:
    return is_office(user)


def can_draw(user: Any, obj: Any = None) -> bool:
    """Run the draw of a plan: its own department (city administrators for any)."""
    if obj is None:
        return is_office(user)
    return is_city_admin(user) or (is_office(user) and same_department(user, obj.department_id))


# --- The inspection ---------------------------------------------------------------------------------
def can_start(user: Any, obj: Any = None) -> bool:
    return obj is not None and is_drawn_inspector(user, obj)


can_record = can_finish = can_reinspect = can_start


def can_issue_document(user: Any, obj: Any = None) -> bool:
    """Enforcement documents are made by the inspectors of the record (`obj` the inspection), or by
    the planning department's office; obj=None: may this person make documents at all."""
    if obj is None:
        return is_office(user) or has_role(user, Role.INSPECTOR)
    return is_drawn_inspector(user, obj) or can_publish(user, obj)


def can_penalise(user: Any, obj: Any = None) -> bool:
    """A penalty is the planning department's decision (`obj` the inspection)."""
    return can_publish(user, obj)


def can_view_penalties(user: Any, obj: Any = None) -> bool:
    """The penalty register and the enforcement statistics: the console's people."""
    return can_use_console(user, obj)


def can_read_enforcement(user: Any, obj: Any = None) -> bool:
    """Enforcement documents and penalties through the API: the console's people inside their area,
    and the party (an enterprise reads its own, once the inspection is revealed)."""
    return can_use_console(user, obj) or has_role(user, Role.ENTERPRISE)


def can_decide_penalty(user: Any, obj: Any = None) -> bool:
    """Decide a penalty, hold its hearing, record its payment (`obj` the penalty): the penalising
    department's office (city administrators too) — the same people as `penalise` on its inspection."""
    if obj is None:
        return is_office(user)
    return is_city_admin(user) or (is_office(user) and same_department(user, obj.department_id))


def can_request_hearing(user: Any, obj: Any = None) -> bool:
    """Ask for a hearing (`obj` the penalty): the party itself, or the penalising department's office
    recording a request the party made in writing or orally."""
    if obj is None:
        return has_role(user, Role.ENTERPRISE) or is_office(user)
    if has_role(user, Role.ENTERPRISE):
        return own_enterprise(user, obj.enterprise_id)
    return is_city_admin(user) or (is_office(user) and same_department(user, obj.department_id))


def can_publish(user: Any, obj: Any = None) -> bool:
    """Publishing a result (双随机一公开) speaks for the planning department (city administrators too)."""
    if obj is None:
        return is_office(user)
    return is_city_admin(user) or (is_office(user) and same_department(user, obj.plan.department_id))


# --- Special-work permits ---------------------------------------------------------------------------
def can_view_permits(user: Any, obj: Any = None) -> bool:
    return can_use_console(user) or has_role(user, Role.ENTERPRISE)


def can_apply_permit(user: Any, obj: Any = None) -> bool:
    """`obj` the enterprise: an enterprise user for their own enterprise."""
    if not (has_role(user, Role.ENTERPRISE) and getattr(user, "enterprise_id", None)):
        return False
    return obj is None or own_enterprise(user, obj.pk)


def can_approve_permit(user: Any, obj: Any = None) -> bool:
    """Approval is the enterprise's own act (its grade rule names the level); `obj` the permit."""
    if obj is None:
        return can_apply_permit(user)
    return has_role(user, Role.ENTERPRISE) and own_enterprise(user, obj.enterprise_id)


def can_plan_in(user: Any, obj: Any = None) -> bool:
    """A plan covers an area (`obj` the division) inside the planner's own jurisdiction."""
    return is_office(user) and (obj is None or covers(user, obj))
