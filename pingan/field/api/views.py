"""The field app's API: one pre-download and one sync endpoint per kind of record (decision 0012).

Each sync is idempotent on the client token the phone made when the record was written: the first
sync answers 201, a replay by the same person 200 with the same object, the token used by anyone
else (or for another object) 409 without naming anything. The records go through the domain apps'
services and so through their actions: audit, deadlines, hazard cases, documents.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from pingan.core.actions import ActionError
from pingan.core.api import CanPermission
from pingan.core.permissions import may
from pingan.hazards import services as hazard_services
from pingan.inspections import services as inspection_services
from pingan.risks import services as risk_services

from ..dataurl import SIGNATURE_MAX_BYTES, decode_image
from .serializers import (
    CheckRecordSerializer,
    HazardReportSerializer,
    InspectionRecordSerializer,
    SyncResultSerializer,
)

CLOCK_SKEW = dt.timedelta(minutes=10)


def _answer(kind: str, obj_id: int, created: bool, detail: dict[str, Any]) -> Response:
    return Response(
        {"kind": kind, "id": obj_id, "created": created, "detail": detail}, status=201 if created else 200
    )


class FieldViewSet(viewsets.ViewSet):
    permission_classes = [CanPermission]
    permission_map = {
        "bundle": "field.use",
        "inspections": "field.inspect",
        "hazards": "field.report_hazard",
        "checks": "field.check",
    }

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"])
    def bundle(self, request: Request) -> Response:
        """Everything the phone keeps for working offline: the person's inspections with their
        checklists, their open check tasks and the hazard categories (each only when permitted)."""
        user = request.user
        out: dict[str, Any] = {
            "generated_at": timezone.now().isoformat(),
            "user": {"id": user.pk, "name": str(getattr(user, "display_name", "") or user.get_username())},
            "inspections": None,
            "tasks": None,
            "categories": None,
        }
        if may(user, "field.inspect"):
            out["inspections"] = inspection_services.field_inspections(user)
        if may(user, "field.check"):
            out["tasks"] = risk_services.field_tasks(user)
        if may(user, "field.report_hazard"):
            out["categories"] = hazard_services.active_categories()
        return Response(out)

    @extend_schema(
        request=InspectionRecordSerializer, responses={201: SyncResultSerializer, 200: SyncResultSerializer}
    )
    @action(detail=False, methods=["post"])
    def inspections(self, request: Request) -> Response:
        """The on-site inspection record: start, checklist, findings (hazard cases), signatures,
        finish, and the 现场检查记录 and 责令限期整改指令书 when `issue_documents`."""
        ser = InspectionRecordSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        signatures = {
            str(key)[:40]: decode_image(
                value,
                field=f"signatures.{key}",
                name=f"signature-{n}",
                max_bytes=SIGNATURE_MAX_BYTES,
                png=True,
            )
            for n, (key, value) in enumerate(d["signatures"].items())
        }
        findings = [
            inspection_services.FieldFinding(
                client_token=f["client_token"],
                item=f["item"],
                description=f["description"],
                rectify_by=f["rectify_by"],
                photos=[
                    decode_image(p, field=f"findings.{n}.photos.{k}", name=f"finding-{n}-{k}")
                    for k, p in enumerate(f["photos"][:10])
                ],
            )
            for n, f in enumerate(d["findings"])
        ]
        data = inspection_services.OnSite(
            client_token=d["client_token"],
            present=d["present"],
            representative=d["representative"],
            started_at=d["started_at"],
            ended_at=d["ended_at"],
            signatures=signatures,
            lat=d["lat"],
            lon=d["lon"],
            accuracy_m=d["accuracy_m"],
            answers=d["answers"],
            note=d["note"],
            findings=findings,
            finish=d["finish"],
            issue_documents=d["issue_documents"],
        )
        record, created = inspection_services.record_on_site(request.user, d["inspection"], data)
        summary = inspection_services.field_record_summary(record)
        numbers = hazard_services.case_numbers(
            f["hazard_case"] for f in summary["findings"] if f["hazard_case"]
        )
        for f in summary["findings"]:
            f["hazard_case_number"] = numbers.get(f["hazard_case"], "")
        return _answer("inspection", record.pk, created, summary)

    @extend_schema(
        request=HazardReportSerializer, responses={201: SyncResultSerializer, 200: SyncResultSerializer}
    )
    @action(detail=False, methods=["post"])
    def hazards(self, request: Request) -> Response:
        """A grid worker's hazard report (source "grid"); without a position, the worker's own grid."""
        ser = HazardReportSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        photos = [decode_image(p, field=f"photos.{k}", name=f"report-{k}") for k, p in enumerate(d["photos"])]
        case, created = hazard_services.submit_report(
            request.user,
            client_token=str(d["client_token"]),
            title=d["title"],
            description=d["description"],
            category_code=d["category"],
            lat=d["lat"],
            lon=d["lon"],
            address=d["address"],
            photos=photos,
        )
        return _answer("hazard", case.pk, created, {"number": case.number, "state": case.state})

    @extend_schema(
        request=CheckRecordSerializer, responses={201: SyncResultSerializer, 200: SyncResultSerializer}
    )
    @action(detail=False, methods=["post"])
    def checks(self, request: Request) -> Response:
        """A risk check done on site; a finding opens a hazard case (risks' own action)."""
        ser = CheckRecordSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        if d["at"] is not None and d["at"] > timezone.now() + CLOCK_SKEW:
            raise ActionError(_("检查时间不能晚于现在"), field="at", code="future")
        for key in d["answers"]:
            if len(key) > 200 or "\x00" in key:
                raise ActionError(_("检查表项目无效"), field="answers", code="invalid")
        photo = decode_image(d["photo"], field="photo", name="check") if d["photo"] else None
        record, created = risk_services.record_check_once(
            request.user,
            d["task"],
            client_token=d["client_token"],
            result=d["result"],
            answers=d["answers"],
            note=d["note"],
            lat=d["lat"],
            lon=d["lon"],
            photo=photo,
            at=d["at"],
        )
        return _answer("check", record.pk, created, risk_services.check_record_summary(record))
