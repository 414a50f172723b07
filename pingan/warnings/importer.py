"""Import of external CAP feeds (the weather bureau's signals): an Atom feed of CAP messages.

Each entry carries its CAP alert inline (<content type="application/cap+xml"> or text/xml) or links
to it (<link type="application/cap+xml" href=…>). Messages are deduplicated by identifier; a
malformed message becomes one error naming the entry, and every other message is still imported.
The issued signal is kept as issued: nothing here looks at rainfall (docs/domain §8).
"""

from __future__ import annotations

import logging
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from pingan.core import audit
from pingan.geo.models import Division

from . import cap, rules
from .choices import Category, MsgType, Source, State
from .models import EarlyWarning, WarningArea

ATOM = "http://www.w3.org/2005/Atom"
log = logging.getLogger(__name__)


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def fetch(url: str, timeout: float = 20) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - configured feed URLs only
        return response.read()


def _entries(feed: bytes | str) -> list[tuple[str, ET.Element | None, str]]:
    """(entry id, inline CAP alert or None, linked CAP URL) for each Atom entry."""
    root = ET.fromstring(feed)
    if root.tag == f"{{{cap.NS}}}alert":  # a single CAP message instead of a feed
        return [("alert", root, "")]
    out = []
    for i, entry in enumerate(root.findall(f"{{{ATOM}}}entry")):
        eid = (entry.findtext(f"{{{ATOM}}}id") or f"#{i + 1}").strip()
        content = entry.find(f"{{{ATOM}}}content")
        alert = content.find(f"{{{cap.NS}}}alert") if content is not None else None
        if alert is None and content is not None and (content.text or "").strip().startswith("<"):
            try:
                alert = ET.fromstring(content.text.strip())
            except ET.ParseError:
                alert = ET.Element("malformed")
        href = ""
        for link in entry.findall(f"{{{ATOM}}}link"):
            if "cap" in (link.get("type") or "") or link.get("rel") == "enclosure":
                href = link.get("href") or ""
        if content is not None and alert is None and not href:
            alert = ET.Element("malformed")
        out.append((eid, alert, href))
    return out


def _division_for(parsed: cap.ParsedAlert, known: dict[str, Division], fallback: Division) -> Division:
    for area in parsed.areas:
        for code in area.geocodes:
            if code in known:
                return known[code]
    ident = rules.parse_identifier(parsed.identifier)
    if ident is not None and ident.division in known:
        return known[ident.division]
    return fallback


def import_feed(feed: bytes | str, *, fetcher: Callable[[str], bytes] = fetch) -> ImportResult:
    """Import every new CAP message of an Atom feed; see the module docstring."""
    result = ImportResult()
    try:
        entries = _entries(feed)
    except ET.ParseError as exc:
        result.errors.append(f"feed: not well-formed XML ({exc})")
        return result
    city_code = getattr(settings, "CITY_DIVISION_CODE", "441800")
    parsed_list: list[tuple[str, cap.ParsedAlert]] = []
    for eid, alert, href in entries:
        try:
            if alert is None:
                if not href:
                    raise cap.CapError("no CAP message inline or linked", "content")
                alert = ET.fromstring(fetcher(href))
            parsed_list.append((eid, cap.parse(alert)))
        except cap.CapError as exc:
            result.errors.append(f"{eid}: {exc}")
        except (ET.ParseError, OSError, ValueError) as exc:
            result.errors.append(f"{eid}: {exc}")
    identifiers = [p.identifier for _, p in parsed_list]
    existing = set(
        EarlyWarning.objects.filter(identifier__in=identifiers).values_list("identifier", flat=True)
    )
    codes = {c for _, p in parsed_list for a in p.areas for c in a.geocodes}
    codes |= {i.division for i in (rules.parse_identifier(x) for x in identifiers) if i}
    known = {d.code: d for d in Division.objects.filter(code__in=codes | {city_code})}
    fallback = known.get(city_code) or Division.objects.filter(parent__isnull=True).first()
    if fallback is None:
        result.errors.append("no division to file imported warnings under")
        return result
    for eid, p in parsed_list:
        if p.identifier in existing:
            result.duplicates.append(p.identifier)
            continue
        existing.add(p.identifier)  # the same message twice in one feed
        if p.event_code and p.event_code not in rules.EVENT_CODES:
            log.info(
                "imported CAP %s has event code %s outside the profile's list", p.identifier, p.event_code
            )
        try:
            with transaction.atomic():
                _store(p, _division_for(p, known, fallback), known)
        except Exception as exc:  # one bad message must not lose the others
            log.exception("could not store %s", p.identifier)
            result.errors.append(f"{eid}: {p.identifier}: {exc}")
            continue
        result.created.append(p.identifier)
    return result


def _store(p: cap.ParsedAlert, division: Division, known: dict[str, Division]) -> EarlyWarning:
    original = None
    if p.msg_type != MsgType.ALERT:
        # references: "sender,identifier,sent" entries; the last one we hold is the original.
        ref_ids = [r.split(",")[1] for r in p.references.split() if r.count(",") >= 2]
        original = EarlyWarning.objects.filter(identifier__in=ref_ids).order_by("-sent").first()
    warning = EarlyWarning.objects.create(
        identifier=p.identifier,
        sender=p.sender[:200],
        msg_type=p.msg_type,
        original=original,
        references=p.references,
        state=State.PUBLISHED,
        source=Source.IMPORT,
        category=Category.NATURAL,
        event_code=p.event_code[:10],
        event=p.event[:50],
        colour=p.colour,
        urgency=p.urgency[:12],
        certainty=p.certainty[:12],
        headline=p.headline[:200],
        description=p.description,
        instruction=p.instruction,
        onset=p.onset,
        expires=p.expires,
        sent=p.sent,
        division=division,
        sender_name=p.sender_name[:200],
        cap_xml=p.xml,
    )
    WarningArea.objects.bulk_create(
        [
            WarningArea(
                warning=warning,
                area_desc=a.area_desc[:200],
                division=next((known[c] for c in a.geocodes if c in known), None),
                geocode=(a.geocodes[0] if a.geocodes else "")[:15],
                polygon=a.polygon,
                circle_lat=a.circle[0] if a.circle else None,
                circle_lon=a.circle[1] if a.circle else None,
                circle_radius_km=a.circle[2] if a.circle else None,
            )
            for a in p.areas
        ]
    )
    audit.record("warnings.warning.import", warning, actor=f"feed:{p.sender}"[:150], note=p.identifier)
    if original is not None and original.state == State.PUBLISHED:
        before = {"state": original.state}
        original.state = State.CANCELLED if p.msg_type == MsgType.CANCEL else State.SUPERSEDED
        original.ended_at = p.sent
        original.save(update_fields=["state", "ended_at"])
        audit.record(
            f"warnings.warning.{'cancelled' if p.msg_type == MsgType.CANCEL else 'superseded'}",
            original,
            actor=f"feed:{p.sender}"[:150],
            before=before,
            after={"state": original.state},
            note=p.identifier,
        )
    from .fanout import notify_subscribers

    notify_subscribers(warning)
    return warning


def import_configured_feeds() -> dict[str, Any]:
    """Poll every feed URL in settings.WARNINGS_FEED_URLS (the periodic task calls this)."""
    out: dict[str, Any] = {}
    for url in getattr(settings, "WARNINGS_FEED_URLS", []):
        try:
            result = import_feed(fetch(url))
        except OSError as exc:
            log.warning("warnings feed %s unreachable: %s", url, exc)
            out[url] = {"error": str(exc)}
            continue
        for err in result.errors:
            log.warning("warnings feed %s: %s", url, err)
        out[url] = {
            "created": len(result.created),
            "duplicates": len(result.duplicates),
            "errors": result.errors,
        }
    return out
