"""The English translation is complete: every catalogue's entries are translated and none is fuzzy
(a fuzzy entry is not compiled, so the page would fall back to Chinese), and the committed .mo is
compiled from the committed .po (an edited .po that was not compiled changes nothing on screen).
Whether every marked string is in its catalogue at all: test_guard_messages.py."""

import gettext
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(ROOT.glob("**/locale/en/LC_MESSAGES/django.po"))


def test_every_app_with_strings_has_a_catalogue():
    apps = {p.parts[len(ROOT.parts)] for p in CATALOGUES if len(p.parts) > len(ROOT.parts) + 4}
    assert {"geo", "org", "notify", "hazards", "monitoring", "emergency", "rescue"} <= apps


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete_and_compiled(po):
    text = po.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]
    untranslated = [e for e in entries if re.search(r'\nmsgstr ""$', e) and not e.startswith("#~")]
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    assert not untranslated, untranslated[:3]
    assert not fuzzy, fuzzy[:3]
    assert po.with_suffix(".mo").exists()


_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def po_translations(text: str) -> dict[object, str]:
    """The .mo keys (msgid, "ctxt\x04msgid", or (msgid, 0) for plurals) and their first msgstr."""
    out: dict[object, str] = {}
    for entry in text.split("\n\n"):
        fields: dict[str, str] = {}
        key = None
        for line in entry.splitlines():
            if not line or line.startswith("#"):
                continue
            head = line.split(" ", 1)[0]
            if head in {"msgctxt", "msgid", "msgid_plural", "msgstr", "msgstr[0]"} or head.startswith(
                "msgstr["
            ):
                key = head
                fields[key] = ""
            if key is not None:
                fields[key] += "".join(_STRING.findall(line))
        if not fields.get("msgid") or "#, fuzzy" in entry:
            continue
        msgid = _unescape(fields["msgid"])
        if "msgctxt" in fields:
            msgid = _unescape(fields["msgctxt"]) + "\x04" + msgid
        if "msgid_plural" in fields:
            out[(msgid, 0)] = _unescape(fields.get("msgstr[0]", ""))
        else:
            out[msgid] = _unescape(fields.get("msgstr", ""))
    return out


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_compiled_catalogue_matches_the_po(po):
    with po.with_suffix(".mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    stale = sorted(
        str(k)
        for k, v in po_translations(po.read_text(encoding="utf-8")).items()
        if v and compiled.get(k) != v
    )
    assert not stale, (
        f"{po.with_suffix('.mo').name} is older than the .po: run compilemessages ({stale[:3]} …)"
    )


CHINESE_KEPT = {"应为“是”或“否”"}


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_translations_read_as_english(po):
    """No translation says its sentence twice (a merge once doubled the portal's welcome line) or
    keeps Chinese characters (a half-translated label)."""
    problems = []
    for msgid, msgstr in po_translations(po.read_text(encoding="utf-8")).items():
        text = msgstr.strip()
        half = len(text) // 2
        if len(text) > 20 and len(text) % 2 == 0 and text[:half] == text[half:]:
            problems.append(f"doubled: {text[:60]}")
        # A language's own name (简体中文) and the literal cell values of an import (是/否) stay as
        # they are.
        if re.search(r"[\u4e00-\u9fff]", msgstr) and msgstr != msgid and msgid not in CHINESE_KEPT:
            problems.append(f"Chinese in the English: {msgid!s:.40} → {msgstr[:60]}")
    assert not problems, problems[:5]
