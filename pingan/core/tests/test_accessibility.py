"""Accessibility guards that need no browser: readable pills, live regions, navigation state."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from pingan.core.choices import MIN_CONTRAST, PALETTE, contrast, pill_colours

TEMPLATES = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(PALETTE))
def test_every_pill_colour_is_readable(name):
    background, text = pill_colours(PALETTE[name])
    assert contrast(background, text) >= MIN_CONTRAST, (name, background, text)


def test_contrast_matches_known_values():
    # WCAG's own extremes and a published pair (black on white 21:1; #777 on white ≈ 4.48:1).
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_palette_css_carries_the_pill_colours(client):
    css = client.get(reverse("core:palette-css")).content.decode()
    for name in PALETTE:
        assert f"--pill-{name}-bg:" in css and f"--pill-{name}-fg:" in css


def test_self_refreshing_regions_are_live_regions():
    """A list that refreshes itself (htmx `every …`) tells screen readers about the change."""
    missing = []
    for path in TEMPLATES.rglob("*.html"):
        for tag in re.findall(r"<[a-z]+[^>]*hx-trigger=\"[^\"]*every[^>]*>", path.read_text()):
            if "aria-live=" not in tag:
                missing.append(f"{path.relative_to(TEMPLATES)}: {tag[:80]}")
    assert not missing, missing


@pytest.mark.django_db
def test_navigation_marks_the_current_page(client, world, password):
    client.force_login(world.user("city_admin", "city"))
    html = client.get("/console/").content.decode()
    current = re.findall(r'<a href="([^"]+)" class="active" aria-current="page">', html)
    assert current == ["/console/"]


@pytest.mark.django_db
def test_a_visitor_menu_lists_the_public_entries(client):
    html = client.get("/").content.decode()
    nav = html.split('<nav class="sidenav"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/report/' in nav
