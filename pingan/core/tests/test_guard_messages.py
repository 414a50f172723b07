"""Every catalogue is up to date: `makemessages` would add no msgid to it.

test_translations.py checks that what is in a catalogue is translated; this checks that everything the
code marks for translation is in it. For each catalogue, the sources it covers (its folder, less the
apps that keep their own catalogue) are copied to a temporary folder with the catalogue, makemessages
runs there, and the msgids (with their context) are compared — not line numbers or comments.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "pingan"
PO = Path("locale/en/LC_MESSAGES/django.po")
SOURCES = {".py", ".html", ".txt"}
CATALOGUES = sorted(p.parents[3] for p in PACKAGE.glob("**/locale/en/LC_MESSAGES/django.po"))

pytestmark = pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")

# Strings missing on the day the guard was written, per catalogue folder. INTEGRATOR: empty this once
# pingan/locale (core's permission message) and hazards' catalogue are brought up to date.
KNOWN_MISSING: dict[str, set[str]] = {}

_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def msgids(po_text: str) -> set[tuple[str, str]]:
    """(msgctxt, msgid) of every live entry (obsolete `#~` entries and the header left out)."""
    out: set[tuple[str, str]] = set()
    for entry in po_text.split("\n\n"):
        lines = [line for line in entry.splitlines() if line and not line.startswith("#")]
        fields: dict[str, str] = {}
        key = None
        for line in lines:
            head = line.split(" ", 1)[0]
            if head in {"msgctxt", "msgid", "msgid_plural"} or head.startswith("msgstr"):
                key = head
                fields[key] = ""
            if key is not None:
                fields[key] += "".join(_STRING.findall(line))
        if fields.get("msgid"):
            out.add((fields.get("msgctxt", ""), fields["msgid"]))
    return out


def covered_files(folder: Path) -> Iterator[Path]:
    """The source files whose strings go to `folder`'s catalogue."""
    own = {p for p in CATALOGUES if p != folder and folder in p.parents}
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        dirnames[:] = [
            d
            for d in dirnames
            if here / d not in own and d not in {"tests", "migrations", "locale", "__pycache__", "static"}
        ]
        for name in filenames:
            if Path(name).suffix in SOURCES:
                yield here / name


def missing_msgids(folder: Path, scratch: Path) -> set[tuple[str, str]]:
    copy = scratch / folder.relative_to(ROOT)
    for source in covered_files(folder):
        target = copy / source.relative_to(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    (copy / PO).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(folder / PO, copy / PO)
    here = Path.cwd()
    try:
        os.chdir(copy)  # makemessages writes to ./locale, like `cd pingan/<app> && makemessages`
        call_command("makemessages", locale=["en"], verbosity=0, no_wrap=False)
    finally:
        os.chdir(here)
    before = msgids((folder / PO).read_text(encoding="utf-8"))
    after = msgids((copy / PO).read_text(encoding="utf-8"))
    return after - before


def test_the_parser_reads_entries():
    text = (
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n#: a.py:1\nmsgid "一"\nmsgstr "one"\n\n'
        'msgctxt "verb"\nmsgid ""\n"多行"\n"文字"\nmsgstr "x"\n\n#~ msgid "旧"\n#~ msgstr "old"\n'
    )
    assert msgids(text) == {("", "一"), ("verb", "多行文字")}


@pytest.mark.parametrize("folder", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_has_every_marked_string(folder, tmp_path):
    known = KNOWN_MISSING.get(str(folder.relative_to(ROOT)), set())
    found = missing_msgids(folder, tmp_path)
    missing = {(c, m) for c, m in found if m not in known}
    stale = known - {m for _c, m in found}
    assert not stale, (
        f"KNOWN_MISSING lists strings that are in the catalogue now, remove them: {sorted(stale)}"
    )
    assert not missing, (
        f"strings marked for translation but not in {folder.relative_to(ROOT) / PO} — run makemessages "
        f"there, translate, compilemessages:\n  " + "\n  ".join(sorted(m for _c, m in missing))
    )


def test_translation_functions_keep_names_makemessages_knows():
    """makemessages finds `_`, `gettext`, `gettext_lazy`, `pgettext` … by name: a string marked
    through another alias (`gettext_lazy as _l`) is never extracted and stays Chinese on English
    pages (it happened: the enforcement statistics' column heads)."""
    alias = re.compile(r"from django\.utils\.translation import .*\b(\w*gettext\w*) as (?!_\b)(\w+)")
    found = [
        f"{path.relative_to(ROOT)}: {m.group(0)}"
        for path in PACKAGE.rglob("*.py")
        for m in alias.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found, found
