"""State changes of people and organisations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from pingan.core import audit
from pingan.core.actions import ActionError, lock
from pingan.core.permissions import covers, require
from pingan.geo import lookup
from pingan.geo.crs import to_storage
from pingan.geo.models import Division

from .choices import Industry, Scale
from .models import Department, Enterprise, User
from .rules import USCC_ALPHABET, uscc_check_char, uscc_problem


@transaction.atomic
def do_unlock(actor: User, user: User) -> int:
    """Lift every login lock-out of this account (django-axes' attempts, from every address);
    returns how many were lifted. Audited."""
    from axes.utils import reset

    require(actor, "org.unlock_user", user, _("您无权解锁账号"))
    count = reset(username=user.get_username()) or 0
    audit.record("org.user.unlocked", user, actor=actor, before={"attempts": count}, after={"attempts": 0})
    return count


# --- Enterprises ---------------------------------------------------------------------------------
# Who may write the enterprise register is decided in permissions.py (org.create_enterprise,
# org.edit_enterprise: city administrators everywhere, department staff within their own area).
ENTERPRISE_FIELDS = [
    "name",
    "uscc",
    "industry",
    "scale",
    "address",
    "lat",
    "lon",
    "division",
    "key_supervision",
    "legal_representative",
    "principal",
    "contact_phone",
    "employees",
    "is_active",
]


@dataclass
class FieldProblem:
    field: str
    code: str
    message: str


def uscc_message(code: str) -> tuple[str, str] | None:
    """(error code, precise message) for a bad unified social credit code, None if it is valid."""
    problem = uscc_problem(code)
    if problem is None:
        return None
    if problem == "length":
        return "uscc_length", _("统一社会信用代码应为 18 位,实际为 %(n)d 位") % {"n": len(code)}
    if problem == "characters":
        pos, char = next((i, c) for i, c in enumerate(code) if c not in USCC_ALPHABET)
        return "uscc_characters", _(
            "统一社会信用代码第 %(pos)d 位“%(char)s”不允许(只能是数字和除 I、O、S、V、Z 以外的大写字母)"
        ) % {"pos": pos + 1, "char": char}
    return "uscc_check", _("统一社会信用代码校验位不正确:第 18 位应为“%(expected)s”,实际为“%(actual)s”") % {
        "expected": uscc_check_char(code[:17]),
        "actual": code[17],
    }


def _choice(value: Any, choices: Any) -> str | None:
    value = str(value or "").strip()
    for v, label in choices.choices:
        if value in (v, str(label)):
            return v
    return None


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in ("", "0", "false", "no", "n", "否", "不是"):
        return False
    if text in ("1", "true", "yes", "y", "是"):
        return True
    return None


def clean_enterprise(
    data: dict[str, Any],
    *,
    actor: Any,
    instance: Enterprise | None = None,
    crs: str | None = None,
    partial: bool = False,
    divisions: dict[str, Division] | None = None,
    departments: dict[str, Department] | None = None,
) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Check an enterprise's values (strings as read from a file, or typed values from the API).

    Returns the cleaned values and every problem found (field, code, message). `division` may be a
    Division, an id or a code; with a location the division becomes the smallest unit containing the
    point, which must lie inside the division given. `supervising_departments`: Departments, ids or
    codes (separated by ; or , in a file).
    """
    out: dict[str, Any] = {}
    problems: list[FieldProblem] = []

    def bad(field: str, code: str, message: str) -> None:
        problems.append(FieldProblem(field, code, str(message)))

    def given(name: str) -> bool:
        return name in data and not (partial and data[name] is None)

    if given("name") or not partial:
        name = str(data.get("name") or "").strip()
        if not name:
            bad("name", "required", _("缺少单位名称"))
        elif len(name) > 200:
            bad("name", "max_length", _("单位名称不能超过 200 字"))
        out["name"] = name
    if given("uscc") or not partial:
        uscc = str(data.get("uscc") or "").strip()
        if not uscc:
            bad("uscc", "required", _("缺少统一社会信用代码"))
        else:
            problem = uscc_message(uscc)
            if problem:
                bad("uscc", *problem)
            elif Enterprise.objects.filter(uscc=uscc).exclude(pk=getattr(instance, "pk", None)).exists():
                bad("uscc", "uscc_duplicate", _("统一社会信用代码 %(uscc)s 已在系统中登记") % {"uscc": uscc})
        out["uscc"] = uscc
    if given("industry") or not partial:
        industry = _choice(data.get("industry"), Industry)
        if industry is None:
            bad(
                "industry",
                "unknown_industry",
                _("行业“%(value)s”无效,应为:%(choices)s")
                % {
                    "value": data.get("industry") or "",
                    "choices": "、".join(str(label) for _, label in Industry.choices),
                },
            )
        out["industry"] = industry
    if given("scale") and str(data.get("scale") or "").strip():
        scale = _choice(data.get("scale"), Scale)
        if scale is None:
            bad(
                "scale",
                "invalid_choice",
                _("规模“%(value)s”无效,应为大型、中型、小型或微型") % {"value": data["scale"]},
            )
        out["scale"] = scale
    for name, limit in (
        ("address", 300),
        ("legal_representative", 50),
        ("principal", 50),
        ("contact_phone", 40),
    ):
        if given(name):
            text = str(data.get(name) or "").strip()
            if len(text) > limit:
                bad(name, "max_length", _("不能超过 %(n)d 个字") % {"n": limit})
            out[name] = text
    for name in ("key_supervision", "is_active"):
        if given(name):
            flag = _bool(data.get(name))
            if flag is None:
                bad(name, "invalid", _("应为“是”或“否”"))
            out[name] = flag
    if given("employees") and str(data.get("employees") if data.get("employees") is not None else "").strip():
        try:
            employees = int(float(str(data["employees"]).strip()))
            if employees < 0:
                raise ValueError
            out["employees"] = employees
        except ValueError:
            bad("employees", "invalid", _("从业人数必须是非负整数"))

    # Division and location. Moving an enterprise's point without naming a division keeps it in
    # its county-level unit (the point may cross into another town or grid there).
    division = (instance.division.district or instance.division) if instance is not None else None
    if given("division") or not partial:
        raw = data.get("division")
        division = None
        if isinstance(raw, Division):
            division = raw
        elif isinstance(raw, int) and not isinstance(raw, bool):
            division = Division.objects.filter(pk=raw).first()  # an id (API); codes are strings
        elif raw not in (None, ""):
            key = str(raw).strip()
            division = divisions.get(key) if divisions is not None else None
            division = division or Division.objects.filter(code=key).first()
        if division is None:
            if raw in (None, ""):
                bad("division", "required", _("缺少所在区划代码"))
            else:
                bad("division", "unknown_division", _("区划代码“%(code)s”不存在") % {"code": raw})
        elif not covers(actor, division):
            bad("division", "out_of_scope", _("区划 %(name)s 不在您的管辖范围内") % {"name": division.name})
            division = None
    lat_given, lon_given = given("lat"), given("lon")
    lat_raw = data.get("lat") if lat_given else None
    lon_raw = data.get("lon") if lon_given else None
    has_lat = lat_raw not in (None, "")
    has_lon = lon_raw not in (None, "")
    if has_lat != has_lon:
        bad("location", "required", _("纬度和经度需同时填写"))
    elif has_lat and has_lon:
        try:
            lat, lon = float(str(lat_raw).strip()), float(str(lon_raw).strip())
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError
        except ValueError:
            bad("location", "invalid", _("纬度应为 -90 到 90、经度应为 -180 到 180 之间的数字"))
        else:
            lat, lon = to_storage(lat, lon, crs)
            out["lat"], out["lon"] = round(lat, 7), round(lon, 7)
            if division is not None:
                found = lookup.locate(lat, lon)
                if found is None:
                    bad("location", "outside_city", _("该位置不在本市范围内"))
                elif not found.is_within(division):
                    bad(
                        "location",
                        "outside_division",
                        _("该位置不在区划 %(name)s(%(code)s)内,而在 %(found)s")
                        % {"name": division.name, "code": division.code, "found": found.name},
                    )
                else:
                    division = found  # the smallest unit containing the point
    elif lat_given and lon_given:
        out["lat"] = out["lon"] = None
    if division is not None and (instance is None or given("division") or out.get("lat") is not None):
        out["division"] = division

    if "supervising_departments" in data and data["supervising_departments"] is not None:
        raw = data["supervising_departments"]
        items = (
            raw
            if isinstance(raw, list | tuple)
            else [
                p
                for p in str(raw).replace(";", ",").replace(";", ",").replace(",", ",").split(",")
                if p.strip()
            ]
        )
        depts = []
        for item in items:
            if isinstance(item, Department):
                depts.append(item)
                continue
            key = str(item).strip()
            if isinstance(item, int) and not isinstance(item, bool):
                dept = Department.objects.filter(pk=item).first()  # an id (API); codes are strings
            else:
                dept = departments.get(key) if departments is not None else None
                dept = dept or Department.objects.filter(code=key).first()
            if dept is None:
                bad(
                    "supervising_departments", "unknown_department", _("部门“%(code)s”不存在") % {"code": key}
                )
            else:
                depts.append(dept)
        out["supervising_departments"] = depts
    return out, problems


def check_enterprise(
    actor: Any,
    data: dict[str, Any],
    *,
    instance: Enterprise | None = None,
    crs: str | None = None,
    partial: bool = False,
) -> dict[str, Any]:
    if instance is None:
        require(actor, "org.create_enterprise", None, _("您无权登记或修改生产经营单位"))
    else:
        require(actor, "org.edit_enterprise", None, _("您无权登记或修改生产经营单位"))
        require(actor, "org.edit_enterprise", instance, _("该单位不在您的管辖范围内"))
    cleaned, problems = clean_enterprise(data, actor=actor, instance=instance, crs=crs, partial=partial)
    if problems:
        first = problems[0]
        raise ActionError(first.message, field=first.field, code=first.code)
    return cleaned


def _enterprise_snapshot(ent: Enterprise) -> dict[str, Any]:
    snap = audit.snapshot(ent, ENTERPRISE_FIELDS)
    snap["supervising_departments"] = sorted(ent.supervising_departments.values_list("pk", flat=True))
    return snap


@transaction.atomic
def do_create_enterprise(actor: Any, data: dict[str, Any], *, crs: str | None = None) -> Enterprise:
    cleaned = check_enterprise(actor, data, crs=crs)
    depts = cleaned.pop("supervising_departments", None)
    ent = Enterprise(**cleaned)
    ent.full_clean()
    ent.save()
    if depts:
        ent.supervising_departments.set(depts)
    audit.record("org.enterprise.create", ent, actor=actor, after=_enterprise_snapshot(ent))
    return ent


@transaction.atomic
def do_update_enterprise(
    actor: Any, enterprise: Enterprise, data: dict[str, Any], *, crs: str | None = None, partial: bool = True
) -> Enterprise:
    enterprise = lock(enterprise)
    cleaned = check_enterprise(actor, data, instance=enterprise, crs=crs, partial=partial)
    before = _enterprise_snapshot(enterprise)
    depts = cleaned.pop("supervising_departments", None)
    for key, value in cleaned.items():
        if value is not None or key in ("lat", "lon"):
            setattr(enterprise, key, value)
    enterprise.full_clean()
    enterprise.save()
    if depts is not None:
        enterprise.supervising_departments.set(depts)
    after = _enterprise_snapshot(enterprise)
    changed = {k for k in after if after[k] != before.get(k)}
    audit.record(
        "org.enterprise.update",
        enterprise,
        actor=actor,
        before={k: before.get(k) for k in changed},
        after={k: after[k] for k in changed},
    )
    return enterprise
