"""The English translation is complete: every catalogue's entries are translated and none is fuzzy
(a fuzzy entry is not compiled, so the page would fall back to Chinese)."""

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
