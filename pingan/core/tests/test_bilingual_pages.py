"""Every page speaks one language: rendered in Chinese and in English, the words a person reads as
labels (headings, column heads, form labels, buttons, menu entries, legends) are all in that page's
language. Data is data — a place name stays 清城区 on an English page — so every text value stored in
the database is taken out before the check; what is left in the other script is a label someone
forgot to translate (or, on a Chinese page, an English word left in a template)."""

from __future__ import annotations

import json
import re

import pytest
from django.apps import apps
from django.db import models
from django.test import Client

from pingan.core.nav import nav_for, portal_entries
from pingan.core.tests.test_smoke_pages import LINK, seed_some_of_everything

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Latin words allowed on a Chinese page: names of standards, formats and protocols, units, and the
# product's own name — what a Chinese safety bureau's staff read as such.
LATIN_OK = {
    "api",
    "atom",
    "cap",
    "csv",
    "docx",
    "excel",
    "geojson",
    "gb",
    "http",
    "https",
    "id",
    "json",
    "kpi",
    "mqtt",
    "open311",
    "pdf",
    "png",
    "jpg",
    "jpeg",
    "sms",
    "url",
    "word",
    "xml",
    "xlsx",
    "wecom",
    "dingtalk",
    "webhook",
    "uscc",
    "aqi",
    "lel",
    "ppm",
    "kpa",
    "mpa",
    "km",
    "mm",
    "cm",
    "min",
    "max",
    "ping",
    "an",
    "qr",
    "gps",
    "iot",
    "ai",
    "wgs",
    "ip",
    "iso",
    "ocr",
    "app",
    "vs",
    "utc",
    "ok",
    "h",
    "m",
    "s",
    "t",
    "kg",
    "kw",
    "db",
    "hz",
    "mg",
    "ms",
    "rh",
}
# Where a person reads a label. Options of a select and table cells hold data; headings of detail
# pages may hold a record's own name (taken out with the rest of the data).
LABELS = "//h1|//h2|//h3|//th|//label|//button|//legend|//summary|//nav//a|//dt|//caption"
JSON_LABEL_KEYS = {"name", "label", "text", "title", "subtext", "legend"}
ROLES = [("city_admin", "city"), ("area_staff", "qingcheng"), ("enterprise", "qingcheng"), ("public", "city")]


def _data_values() -> list[str]:
    """Every text value in the test database (longest first, so '清城区凤城街道' goes before '清城区')."""
    values: set[str] = set()
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField)) and not f.choices
        ]
        if not fields:
            continue
        for row in model._base_manager.values_list(*fields)[:2000]:
            values.update(v.strip() for v in row if isinstance(v, str) and len(v.strip()) >= 2)
    return sorted(values, key=len, reverse=True)


def _json_labels(value: object, key: str = "") -> list[str]:
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in _json_labels(v, k)]
    if isinstance(value, list):
        if key == "data" and all(isinstance(v, str) for v in value):
            return []  # category values are data (district names); a legend repeats the series names
        return [t for v in value for t in _json_labels(v, key)]
    if isinstance(value, str) and key in JSON_LABEL_KEYS:
        return [value]
    return []


def _labels(html: str) -> list[str]:
    import lxml.html

    tree = lxml.html.fromstring(html)
    texts = []
    # Chart and map options travel as JSON (json_script): their legends, series and layer names are
    # labels too.
    for script in tree.xpath('//script[@type="application/json"]'):
        try:
            texts.extend(_json_labels(json.loads(script.text or "null")))
        except ValueError:
            continue
    for bad in tree.xpath("//script|//style"):
        bad.drop_tree()
    page_lang = (tree.get("lang") or "").lower()
    for el in tree.xpath(LABELS):
        # An element in another language says so (`lang="en"` on the language switch): not a leak.
        declared = el.xpath("ancestor-or-self::*[@lang][1]/@lang")
        if declared and declared[0].lower() != page_lang:
            continue
        texts.append(" ".join(el.text_content().split()))
    return texts


def _leaks(texts: list[str], lang: str, data: list[str]) -> list[str]:
    found = []
    for text in texts:
        rest = text
        for value in data:
            if value in rest:
                rest = rest.replace(value, " ")
        if lang == "en":
            if CJK.search(rest):
                found.append(text)
        else:
            words = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9]+", rest)}
            if words - LATIN_OK:
                found.append(f"{text}  ← {sorted(words - LATIN_OK)}")
    return found


def _pages(user) -> list[str]:
    if user is None:
        return [e["url"] for e in portal_entries()] + ["/"]
    return [item["url"] for group in nav_for(user) for item in group["items"]]


@pytest.mark.django_db
@pytest.mark.parametrize("person", [*ROLES, None], ids=lambda p: p[0] if p else "visitor")
def test_pages_speak_one_language(world, person):
    seed_some_of_everything(world)
    data = _data_values()
    user = world.user(*person) if person else None
    problems: dict[str, list[str]] = {}
    for lang in ("zh-hans", "en"):
        client = Client()
        client.cookies["django_language"] = lang
        if user is not None:
            client.force_login(user)
        pages = _pages(user)
        queue, seen = list(pages), set()
        while queue:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            html = response.content.decode()
            if url in pages:  # and the first detail pages linked from the menu's pages
                queue.extend([u for u in dict.fromkeys(LINK.findall(html)) if u not in seen][:3])
            leaks = _leaks(_labels(html), "en" if lang == "en" else "zh", data)
            if leaks:
                problems[f"{lang} {url}"] = sorted(set(leaks))[:8]
    assert not problems, "\n".join(f"{page}: {leaks}" for page, leaks in problems.items())
