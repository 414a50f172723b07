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
