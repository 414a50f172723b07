"""The on-site record taken on a phone (the field app, possibly offline and synced later): one
submission starts the inspection at the time it started on site, stores the checklist answers,
position, the inspectors present and the representative with their drawn signatures, records each
finding through `do_add_finding` (a hazard case, MAJOR for a 重大事故隐患判定标准 item, a rectification
Deadline), finishes the inspection and, when asked, issues the 现场检查记录 and the 责令限期整改指令书.

Idempotent on the device's client token: a repeated sync of the same record by the same person
answers the row made the first time; the token used by anyone else, or for another inspection, is
a conflict that names no object.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.permissions import require
from pingan.hazards import services as hazard_services

from ..choices import DocumentKind, InspectionState
from ..models import CheckItem, FieldRecord, Finding, Inspection, Inspector
from .documents import check_issue_document, do_issue_document
from .inspection import do_add_finding, do_finish, do_start

ANSWERS = ("ok", "fail", "na")
# How far a device's clock may run ahead of the server's before its times are refused.
CLOCK_SKEW = dt.timedelta(minutes=10)
MAX_PHOTOS_PER_FINDING = 6


@dataclass
class FieldFinding:
    client_token: uuid.UUID
    description: str
    rectify_by: dt.date
    item: int | None = None
    photos: Sequence[Any] = ()


@dataclass
class OnSite:
    """What the phone sends; signatures and photos are decoded files (ContentFile) by then."""

    client_token: uuid.UUID
    present: Sequence[int]
    representative: str
    started_at: dt.datetime
    ended_at: dt.datetime
    signatures: Mapping[str, Any]
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    answers: Mapping[str, str] = field(default_factory=dict)
    note: str = ""
    findings: Sequence[FieldFinding] = ()
    finish: bool = True
    issue_documents: bool = True


def replayed(actor: Any, inspection: Inspection, token: uuid.UUID) -> FieldRecord | None:
    """The record this token made before (same person, same inspection), or None; a token used by
    someone else or for another inspection is a conflict that names nothing."""
    existing = FieldRecord.objects.filter(client_token=token).first()
    if existing is None:
        return None
    if existing.recorded_by_id != actor.pk or existing.inspection_id != inspection.pk:
        raise Conflict(_("该客户端令牌已被使用"), field="client_token", code="token_used")
    return existing


def check_record_on_site(actor: Any, inspection: Inspection, data: OnSite) -> tuple[list[Inspector], dict]:
    """Validate the whole submission before anything is written; every error names its field."""
    require(actor, "inspections.record", inspection, _("只有本次检查的执法人员可以记录问题"))
    if inspection.state not in (InspectionState.PLANNED, InspectionState.STARTED):
        raise Conflict(_("检查已结束,不能再提交现场检查记录"), field="state")
    if FieldRecord.objects.filter(inspection=inspection).exists():
        raise Conflict(_("该检查已有现场检查记录"), field="client_token", code="already_recorded")
    drawn = {i.pk: i for i in inspection.inspectors.all()}
    present = [drawn[pk] for pk in dict.fromkeys(data.present) if pk in drawn]
    if len(present) != len(set(data.present)):
        raise ActionError(_("在场执法人员须为本次检查抽取的执法人员"), field="present", code="invalid")
    if len(present) < 2:
        raise ActionError(_("现场检查须有至少两名执法人员在场"), field="present", code="too_few")
    if not any(i.user_id == actor.pk for i in present):
        raise ActionError(_("记录人须是在场的执法人员"), field="present", code="invalid")
    if not data.representative.strip():
        raise ActionError(_("请填写被检查单位代表"), field="representative", code="required")
    now = timezone.now()
    if data.ended_at > now + CLOCK_SKEW:
        raise ActionError(_("结束时间不能晚于现在"), field="ended_at", code="future")
    if data.started_at > data.ended_at:
        raise ActionError(_("开始时间不能晚于结束时间"), field="started_at", code="invalid")
    for i in present:
        if f"inspector:{i.pk}" not in data.signatures:
            raise ActionError(
                _("缺少执法人员%(name)s的签名") % {"name": str(i)},
                field=f"signatures.inspector:{i.pk}",
                code="required",
            )
    if "representative" not in data.signatures:
        raise ActionError(_("缺少被检查单位代表的签名"), field="signatures.representative", code="required")
    unknown = set(data.signatures) - {f"inspector:{i.pk}" for i in present} - {"representative"}
    if unknown:
        raise ActionError(_("未知的签名人"), field=f"signatures.{sorted(unknown)[0]}", code="invalid")
    industry = inspection.target.industry
    items = {c.pk: c for c in CheckItem.objects.filter(industry=industry)}
    for key, value in data.answers.items():
        if not (str(key).isascii() and str(key).isdigit()) or int(key) not in items:
            raise ActionError(_("检查事项不属于该单位的行业"), field=f"answers.{key}", code="invalid")
        if value not in ANSWERS:
            raise ActionError(_("检查结论须为合格、不合格或不涉及"), field=f"answers.{key}", code="invalid")
    today = timezone.localdate()
    for n, f in enumerate(data.findings):
        where = f"findings.{n}"
        if f.item is not None and f.item not in items:
            raise ActionError(_("检查事项不属于该单位的行业"), field=f"{where}.item", code="invalid")
        if not f.description.strip():
            raise ActionError(_("请填写问题描述"), field=f"{where}.description", code="required")
        if f.rectify_by < today:
            raise ActionError(_("整改期限不能早于今天"), field=f"{where}.rectify_by", code="invalid")
        if len(f.photos) > MAX_PHOTOS_PER_FINDING:
            raise ActionError(
                _("每个问题最多%(n)d张照片") % {"n": MAX_PHOTOS_PER_FINDING},
                field=f"{where}.photos",
                code="too_many",
            )
    tokens = [f.client_token for f in data.findings]
    if len(set(tokens)) != len(tokens) or data.client_token in tokens:
        raise ActionError(_("客户端令牌重复"), field="findings", code="duplicate_token")
    if Finding.objects.filter(client_token__in=tokens).exists():
        raise Conflict(_("该客户端令牌已被使用"), field="findings", code="token_used")
    return present, items


@transaction.atomic
def do_record_on_site(actor: Any, inspection: Inspection, data: OnSite) -> tuple[FieldRecord, bool]:
    """The whole on-site record in one transaction; (record, created). See the module's docstring."""
    require(actor, "inspections.record", inspection, _("只有本次检查的执法人员可以记录问题"))
    inspection = lock(inspection)  # two syncs of the same record queue here; the second finds the first
    existing = replayed(actor, inspection, data.client_token)
    if existing is not None:
        return existing, False
    present, items = check_record_on_site(actor, inspection, data)
    if inspection.state == InspectionState.PLANNED:
        inspection = do_start(
            actor, inspection, representative=data.representative.strip(), at=data.started_at
        )
    elif not inspection.representative:
        Inspection.objects.filter(pk=inspection.pk).update(representative=data.representative.strip()[:50])
    record = FieldRecord(
        inspection=inspection,
        client_token=data.client_token,
        recorded_by=actor,
        representative=data.representative.strip()[:50],
        started_at=data.started_at,
        ended_at=data.ended_at,
        lat=data.lat,
        lon=data.lon,
        accuracy_m=data.accuracy_m,
        answers={str(k): v for k, v in data.answers.items()},
        note=data.note,
    )
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:  # the same token raced in through another inspection
        raise Conflict(_("该客户端令牌已被使用"), field="client_token", code="token_used") from exc
    record.present.set(present)
    names = {}
    for key, f in data.signatures.items():
        safe = key.replace(":", "-")
        names[key] = default_storage.save(
            f"inspections/signatures/{inspection.pk}/{record.client_token}-{safe}.png", f
        )
    record.signatures = names
    record.save(update_fields=["signatures"])
    cases = []
    for f in data.findings:
        finding = do_add_finding(
            actor,
            inspection,
            item=items.get(f.item) if f.item is not None else None,
            description=f.description.strip(),
            rectify_by=f.rectify_by,
        )
        Finding.objects.filter(pk=finding.pk).update(client_token=f.client_token)
        if f.photos and finding.hazard_case_id:
            hazard_services.attach_photos(finding.hazard_case_id, f.photos, actor=actor)
        cases.append(finding.hazard_case_id)
    audit.record(
        "inspections.field_record.create",
        inspection,
        actor=actor,
        after={
            "record": record.pk,
            "present": [i.pk for i in present],
            "findings": len(data.findings),
            "hazard_cases": cases,
            "started_at": data.started_at.isoformat(),
            "ended_at": data.ended_at.isoformat(),
            "lat": data.lat,
            "lon": data.lon,
        },
    )
    if data.finish:
        inspection = do_finish(actor, inspection)
    if data.issue_documents:
        # The 现场检查记录, and the 责令限期整改指令书 when something is to be rectified; a kind already
        # issued from the console (or not applicable) is skipped, never an error that loses the record.
        for kind in (DocumentKind.SITE_RECORD, DocumentKind.RECTIFY_ORDER):
            try:
                check_issue_document(actor, inspection, kind)
            except ActionError:
                continue
            do_issue_document(actor, inspection, kind)
    return record, True
