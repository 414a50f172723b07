"""Choice sets with a colour per value (after NetBox's ChoiceSet).

Colours live with the choice, never in templates. Declare them with the decorator and read them
with `colour_of(...)` or the `colour` template filter:

    @coloured({"open": "orange", "closed": "green"})
    class State(models.TextChoices):
        OPEN = "open", _("处理中")
        CLOSED = "closed", _("已办结")
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models

# The four-colour scale of Chinese risk and warning levels: 红橙黄蓝.
PALETTE = {
    "red": "#d7263d",
    "orange": "#f08a24",
    "yellow": "#e2b007",
    "blue": "#1b6ca8",
    "green": "#2e9e5b",
    "grey": "#8a8f98",
    "purple": "#7b4fb5",
    "teal": "#138a8a",
}


# Text on a coloured pill must stay readable (WCAG 2.1 AA: contrast ≥ 4.5:1 for normal text). Each
# colour keeps its hue on maps and charts; a pill takes white or the page's ink, whichever passes, and
# where neither does (green, teal) a darker shade of the same hue under white text.
INK = "#1f2933"
MIN_CONTRAST = 4.5


def _luminance(hex_: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours (1 … 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _darker(hex_: str, factor: float) -> str:
    r, g, b = (int(hex_[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(round(c * factor) for c in (r, g, b)))


def pill_colours(hex_: str) -> tuple[str, str]:
    """(background, text) for a pill of this colour with contrast ≥ MIN_CONTRAST."""
    if contrast(hex_, "#ffffff") >= MIN_CONTRAST:
        return hex_, "#ffffff"
    if contrast(hex_, INK) >= MIN_CONTRAST:
        return hex_, INK
    factor = 1.0
    background = hex_
    while contrast(background, "#ffffff") < MIN_CONTRAST and factor > 0.2:
        factor -= 0.05
        background = _darker(hex_, factor)
    return background, "#ffffff"


def coloured(colours: dict[str, str]) -> Callable[[type[models.TextChoices]], type[models.TextChoices]]:
    def attach(choices_cls: type[models.TextChoices]) -> type[models.TextChoices]:
        unknown = set(colours) - set(choices_cls.values)
        if unknown:
            raise ValueError(f"{choices_cls.__name__}: colours for unknown values {sorted(unknown)}")
        type.__setattr__(choices_cls, "_colours", dict(colours))
        return choices_cls

    return attach


def colour_of(choices_cls: type[models.TextChoices], value: str) -> str:
    """The colour name of a value ('grey' when none is declared)."""
    colours: dict[str, str] = getattr(choices_cls, "_colours", {})
    return colours.get(value, "grey")


def hex_of(name: str) -> str:
    return PALETTE.get(name, name)
