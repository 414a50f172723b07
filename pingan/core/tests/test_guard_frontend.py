"""Guards for the front end: colours come from the choices' palette only, and translated text placed
inside inline JavaScript is escaped for it (a translation with a quote must not break the script)."""

import re
from pathlib import Path

from pingan.core.choices import PALETTE

PACKAGE = Path(__file__).resolve().parents[2]
SCRIPT = re.compile(r"<script(?![^>]*src)[^>]*>(.*?)</script>", re.S)
BARE_TRANS = re.compile(r"(?<!\{% filter escapejs %\})\{%\s*trans\s+(\"[^\"]*\"|'[^']*')\s*%\}")


def test_the_palette_is_defined_once():
    hexes = {h.lower() for h in PALETTE.values()}
    offenders = []
    for path in list(PACKAGE.rglob("*.js")) + list(PACKAGE.rglob("*.css")) + list(PACKAGE.rglob("*.html")):
        if "tests" in path.parts:
            continue
        text = path.read_text(encoding="utf-8").lower()
        offenders += [f"{path.relative_to(PACKAGE)}: {h}" for h in sorted(hexes) if h in text]
    assert not offenders, (
        "use a palette name (CSS var(--name), map/chart colour names) instead:\n" + "\n".join(offenders)
    )


def test_palette_css_serves_every_colour(client):
    body = client.get("/console/palette.css").content.decode()
    for name, hex_ in PALETTE.items():
        assert f"--{name}: {hex_};" in body


def test_translations_inside_scripts_are_escaped():
    offenders = []
    for path in PACKAGE.rglob("templates/**/*.html"):
        for script in SCRIPT.finditer(path.read_text(encoding="utf-8")):
            offenders += [
                f"{path.relative_to(PACKAGE)}: {m.group(0)}" for m in BARE_TRANS.finditer(script.group(1))
            ]
    assert not offenders, "wrap in {% filter escapejs %}…{% endfilter %}:\n" + "\n".join(offenders)


def test_favicon_is_served_in_the_palette_blue(client):
    # QA: every page load asked for /favicon.ico and got a 404.
    from pingan.core.choices import PALETTE

    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml"
    assert PALETTE["blue"] in r.content.decode()
