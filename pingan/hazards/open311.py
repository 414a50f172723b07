"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2), so that existing civic-reporting
clients can talk to the city.

- GET  services.{json,xml}                 the leaf categories as services (metadata=false, realtime)
- GET  services/{service_code}.{fmt}       the service definition (no extra attributes)
- POST requests.{json,xml}                 a new case (form-encoded or multipart with `media`)
- GET  requests.{json,xml}                 publicly listed cases (service_request_id, service_code,
                                           start_date, end_date, status); 90 days and 1000 rows by default
- GET  requests/{service_request_id}.{fmt} one request
- GET  tokens/{token}.{fmt}                the service_request_id for the token a POST returned

Internal states map onto open/closed with the detail in status_notes. No reporter identity and no
internal note ever leaves through here; phone numbers in descriptions are masked.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
import xml.etree.ElementTree as ET
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from pingan.core.actions import ActionError

from . import rules, selectors
from .choices import Source, State
from .models import Category, HazardCase, Photo

DEFAULT_DAYS = 90
MAX_RESULTS = 1000
ID_RE = re.compile(r"^YH-(\d{4})-(\d+)$")


# --- Rendering -------------------------------------------------------------------------------
def _xml(root: str, item: str, rows: list[dict[str, Any]]) -> bytes:
    top = ET.Element(root)
    for row in rows:
        el = ET.SubElement(top, item)
        for key, value in row.items():
            child = ET.SubElement(el, key)
            if isinstance(value, bool):
                child.text = "true" if value else "false"
            elif isinstance(value, list):
                for v in value:
                    ET.SubElement(child, "value").text = str(v)
            elif value is not None:
                child.text = str(value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8")


def respond(fmt: str, root: str, item: str, rows: list[dict[str, Any]], status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(_xml(root, item, rows), content_type="text/xml; charset=utf-8", status=status)
    return JsonResponse(rows, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return respond(fmt, "errors", "error", [{"code": status, "description": description}], status=status)


def w3c(value: dt.datetime | None) -> str | None:
    """W3C date-time with the offset, e.g. 2026-10-09T14:05:00+08:00."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


# --- Services --------------------------------------------------------------------------------
def _service_rows() -> list[dict[str, Any]]:
    cats = list(Category.objects.filter(is_active=True).select_related("parent").order_by("order", "code"))
    parents = {c.parent_id for c in cats if c.parent_id}
    rows = []
    for c in cats:
        if c.pk in parents:
            continue  # a group, not a service
        rows.append(
            {
                "service_code": c.code,
                "service_name": c.name,
                "description": c.description or c.name_en or c.name,
                "metadata": False,
                "type": "realtime",
                "keywords": c.keywords,
                "group": c.parent.name if c.parent else c.name,
            }
        )
    return rows


def services(request: HttpRequest, fmt: str) -> HttpResponse:
    return respond(fmt, "services", "service", _service_rows())


def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if not Category.objects.filter(code=code, is_active=True).exists():
        return error(fmt, 404, _("未知的服务代码"))
    if fmt == "xml":
        top = ET.Element("service_definition")
        ET.SubElement(top, "service_code").text = code
        ET.SubElement(top, "attributes")
        return HttpResponse(
            b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8"),
            content_type="text/xml; charset=utf-8",
        )
    return JsonResponse({"service_code": code, "attributes": []}, json_dumps_params={"ensure_ascii": False})


# --- Requests --------------------------------------------------------------------------------
def request_row(case: HazardCase, photo_id: uuid.UUID | None, request: HttpRequest) -> dict[str, Any]:
    media = request.build_absolute_uri(reverse("hazards-public:photo", args=[photo_id])) if photo_id else None
    return {
        "service_request_id": case.number,
        "status": rules.open311_status(case.state),
        "status_notes": selectors.public_status_note(case),
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": selectors.mask_phones(case.description or case.title),
        "agency_responsible": str(case.lead_department) if case.lead_department_id else None,
        "service_notice": None,
        "requested_datetime": w3c(case.created_at),
        "updated_datetime": w3c(case.updated_at),
        "expected_datetime": w3c(case.due_at) if case.state not in (State.CLOSED, State.DECLINED) else None,
        "address": case.address or str(case.division),
        "address_id": None,
        "zipcode": None,
        "lat": case.lat,
        "long": case.lon,
        "media_url": media,
    }


def _public_cases():
    return HazardCase.objects.publicly_listed().select_related("category", "division", "lead_department")


def _first_photos(case_ids: list[int]) -> dict[int, uuid.UUID]:
    """Each case's first photo the public may see, by its public_id (media_url)."""
    out: dict[int, uuid.UUID] = {}
    for case_id, pk in (
        Photo.objects.filter(case_id__in=case_ids, kind__in=rules.PUBLIC_PHOTO_KINDS)
        .order_by("case_id", "created_at", "id")
        .values_list("case_id", "public_id")
    ):
        out.setdefault(case_id, pk)
    return out


def _parse_ids(value: str) -> list[int]:
    ids = []
    for part in value.split(","):
        m = ID_RE.match(part.strip())
        if m:
            ids.append(int(m.group(2)))
    return ids


def _list(request: HttpRequest, fmt: str) -> HttpResponse:
    qs = _public_cases()
    p = request.GET
    if p.get("service_request_id"):
        qs = qs.filter(pk__in=_parse_ids(p["service_request_id"]))
    else:
        if p.get("service_code"):
            qs = qs.filter(category__code__in=[c.strip() for c in p["service_code"].split(",")])
        start = parse_datetime(p["start_date"]) if p.get("start_date") else None
        end = parse_datetime(p["end_date"]) if p.get("end_date") else None
        if (p.get("start_date") and start is None) or (p.get("end_date") and end is None):
            return error(fmt, 400, _("start_date / end_date 须为 W3C 日期时间格式"))
        if start is None and end is None:
            start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
        if start is not None:
            qs = qs.filter(created_at__gte=start)
        if end is not None:
            qs = qs.filter(created_at__lte=end)
        status = [s.strip() for s in p.get("status", "").split(",") if s.strip()]
        if status:
            closed_q = Q(state__in=[State.CLOSED, State.DECLINED])
            if set(status) == {"open"}:
                qs = qs.exclude(closed_q)
            elif set(status) == {"closed"}:
                qs = qs.filter(closed_q)
    cases = list(qs.order_by("-created_at")[:MAX_RESULTS])
    photos = _first_photos([c.pk for c in cases])
    return respond(
        fmt, "service_requests", "request", [request_row(c, photos.get(c.pk), request) for c in cases]
    )


MAX_DESCRIPTION = rules.TEXT_RULE["description_max_chars"]  # the same cap as every other channel


def _api_key_user(key: str) -> Any:
    from rest_framework.authtoken.models import Token

    token = Token.objects.select_related("user").filter(key=key).first()
    return token.user if token and token.user.is_active else None


def _post(request: HttpRequest, fmt: str) -> HttpResponse:
    from django.contrib.auth.models import AnonymousUser

    from . import actions

    p = request.POST
    # The view is CSRF-exempt (machines post here), so a browser's session cookie must count for
    # nothing: another site could otherwise make a signed-in officer's browser file a report in
    # their name. Without api_key the submitter is anonymous. (The rate limit is in open311_urls.)
    actor: Any = AnonymousUser()
    if p.get("api_key"):
        actor = _api_key_user(p["api_key"])
        if actor is None:
            return error(fmt, 403, _("api_key 无效"))
    code = (p.get("service_code") or "").strip()
    if not code:
        return error(fmt, 400, _("service_code 必填"))
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        return error(fmt, 404, _("未知的服务代码 service_code"))
    try:
        lat = float(p["lat"]) if p.get("lat") else None
        lon = float(p["long"]) if p.get("long") else None
    except ValueError:
        return error(fmt, 400, _("lat / long 须为数字"))
    if lat is None or lon is None:
        return error(fmt, 400, _("需要位置:lat 和 long"))
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return error(fmt, 400, _("lat / long 须为数字"))
    description = (p.get("description") or "").strip()
    if not description:
        return error(fmt, 400, _("description 必填"))
    if len(description) > MAX_DESCRIPTION:
        return error(fmt, 400, _("description 过长(最多 %(n)d 字)") % {"n": MAX_DESCRIPTION})
    name = " ".join(x for x in (p.get("last_name", ""), p.get("first_name", "")) if x).strip()
    token = p.get("attribute[client_token]") or p.get("client_token") or ""
    if not token and p.get("device_id"):
        token = ""  # a device id names the device, not the submission: no idempotency from it alone
    try:
        case, _created = actions.do_submit(
            actor,
            source=Source.OPEN311,
            title=description[:60],
            description=description,
            category=category,
            lat=lat,
            lon=lon,
            address=p.get("address_string", ""),
            reporter_name=name,
            reporter_phone=(p.get("phone") or "")[:20],
            client_token=token,
            photos=request.FILES.getlist("media"),
        )
    except ActionError as exc:
        return error(fmt, 400, f"{exc.field}: {exc.message}" if exc.field else str(exc.message))
    notice = _("已受理。查询码 %(code)s,可在 %(url)s 查看进度") % {
        "code": case.tracking_code,
        "url": request.build_absolute_uri(reverse("hazards-public:track", args=[case.tracking_code])),
    }
    row = {
        "service_request_id": case.number,
        "token": case.tracking_code,
        "service_notice": notice,
        "account_id": None,
    }
    return respond(fmt, "service_requests", "request", [row], status=201)


@csrf_exempt
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "GET":
        return _list(request, fmt)
    if request.method == "POST":
        return _post(request, fmt)
    return error(fmt, 405, _("不支持的方法"))


def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    ids = _parse_ids(request_id)
    case = _public_cases().filter(pk=ids[0]).first() if ids else None
    if case is None:
        return error(fmt, 404, _("未找到该请求"))
    photos = _first_photos([case.pk])
    return respond(fmt, "service_requests", "request", [request_row(case, photos.get(case.pk), request)])


def token_view(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    case = HazardCase.objects.filter(
        tracking_code=rules.normalise_tracking_code(token), source=Source.OPEN311
    ).first()
    if case is None:
        return error(fmt, 404, _("未找到该令牌"))
    return respond(fmt, "service_requests", "request", [{"service_request_id": case.number, "token": token}])


def discovery(request: HttpRequest) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:services", args=["json"]))[: -len("services.json")]
    return JsonResponse(
        {
            "changeset": "2026-01-01T00:00:00+08:00",
            "contact": _("清远市安全隐患受理中心"),
            "key_service": _("向受理中心申请 api_key"),
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base,
                    "changeset": "2026-01-01T00:00:00+08:00",
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )
