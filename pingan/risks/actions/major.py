"""Major hazard sources (GB 18218): identification and grading, the responsibility package's
checks, and the filing within 15 days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit, deadlines
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.audit import snapshot
from pingan.core.permissions import require

from .. import rules
from ..choices import FilingState, MeasureKind, MhsGrade, ObjectKind, PointType
from ..models import MajorHazardSource, MhsChemical
from .chain import do_add_event, do_add_measure, do_add_task, do_create_object
from .common import FILING_KIND, _choice, _required, rule_errors


def check_declare_mhs(
    actor: Any,
    enterprise: Any,
    *,
    name: str,
    unit_kind: str,
    population: Any,
    chemicals: list[Mapping[str, Any]],
) -> rules.Identification:
    if enterprise is None:
        raise ActionError(_("请选择企业"), field="enterprise", code="required")
    require(actor, "risks.manage_mhs", enterprise, _("只能申报本单位的重大危险源"))
    _required(name, "name", _("请填写单元名称"))
    from ..choices import UnitKind

    _choice(unit_kind, UnitKind, "unit_kind")
    with rule_errors():
        return rules.identify(chemicals, population)


@transaction.atomic
def do_declare_mhs(
    actor: Any,
    enterprise: Any,
    *,
    name: str,
    unit_kind: str,
    population: Any,
    population_on: dt.date | None = None,
    assessed_on: dt.date | None = None,
    chemicals: list[Mapping[str, Any]],
    principal_name: str = "",
    technical_name: str = "",
    operational_name: str = "",
    is_synthetic: bool = False,
) -> MajorHazardSource:
    """Identify and grade a unit (GB 18218); a major hazard source must be filed within 15 days."""
    ident = check_declare_mhs(
        actor, enterprise, name=name, unit_kind=unit_kind, population=population, chemicals=chemicals
    )
    today = timezone.localdate()
    assessed_on = assessed_on or today
    src = MajorHazardSource.objects.create(
        enterprise=enterprise,
        division=enterprise.division,
        name=name.strip(),
        unit_kind=unit_kind,
        population=ident.population,
        population_on=population_on or today,
        principal_name=principal_name,
        technical_name=technical_name,
        operational_name=operational_name,
        s_value=ident.s.quantize(Decimal("0.0001")),
        alpha=ident.alpha,
        r_value=ident.r.quantize(Decimal("0.0001")) if ident.r is not None else None,
        grade=str(ident.grade) if ident.grade else MhsGrade.NONE,
        computation=ident.as_dict(),
        table_version=ident.version,
        assessed_on=assessed_on,
        filing_state=FilingState.UNFILED if ident.is_major else FilingState.NOT_REQUIRED,
        filing_due=rules.filing_due(assessed_on) if ident.is_major else None,
        is_synthetic=is_synthetic,
    )
    MhsChemical.objects.bulk_create(
        [
            MhsChemical(
                source=src,
                chemical=s.name,
                category=s.category,
                quantity=s.quantity,
                critical_quantity=s.critical,
                beta=s.beta,
            )
            for s in ident.steps
        ]
    )
    if ident.is_major:
        _package_checks(actor, src)
        due = dt.datetime.combine(src.filing_due, dt.time(23, 59), tzinfo=timezone.get_current_timezone())
        deadlines.create(
            src,
            kind=FILING_KIND,
            title=_("重大危险源备案: %(name)s") % {"name": src.name},
            due_at=due,
            remind_before=dt.timedelta(days=3),
            division=src.division,
            data={"mhs": src.pk},
        )
    audit.record(
        "risks.mhs.create",
        src,
        actor=actor,
        after=snapshot(src, ["s_value", "r_value", "grade", "alpha", "filing_state", "table_version"]),
    )
    return src


def _package_checks(actor: Any, src: MajorHazardSource) -> None:
    """The major hazard source enters the dual-prevention chain as an analysis unit whose measure is
    the responsibility package (包保责任制), with the three named people's periodic checks."""
    unit = do_create_object(
        actor,
        kind=ObjectKind.ANALYSIS_UNIT,
        name=_("重大危险源: %(name)s") % {"name": src.name},
        point_type=PointType.STORAGE if src.unit_kind == "storage" else PointType.PROCESS,
        enterprise=src.enterprise,
        is_synthetic=src.is_synthetic,
    )
    src.risk_object = unit
    src.save(update_fields=["risk_object"])
    event = do_add_event(actor, unit, name=_("重大危险源失控"))
    measure = do_add_measure(actor, event, kind=MeasureKind.MANAGEMENT, description=_("包保责任制"))
    for post, cycle, title in rules.PACKAGE_CHECKS["checks"]:
        do_add_task(actor, measure, name=title, cycle=cycle, post=post)


@transaction.atomic
def do_file_mhs(actor: Any, src: MajorHazardSource, *, number: str = "") -> MajorHazardSource:
    require(actor, "risks.file_mhs", src, _("只能为本单位的重大危险源备案"))
    src = lock(src)
    if src.filing_state != FilingState.UNFILED:
        raise Conflict(_("该单元无需备案或已备案"), field="filing_state")
    before = snapshot(src, ["filing_state", "filed_at"])
    src.filing_state = FilingState.FILED
    src.filed_at = timezone.now()
    src.filing_number = (number or "").strip() or f"BA-{src.division.code[:6]}-{src.pk:05d}"
    src.save(update_fields=["filing_state", "filed_at", "filing_number"])
    deadlines.close(src, kind=FILING_KIND)
    audit.record(
        "risks.mhs.file",
        src,
        actor=actor,
        before=before,
        after=snapshot(src, ["filing_state", "filed_at", "filing_number"]),
    )
    return src
