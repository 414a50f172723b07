from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区县")
    TOWN = "town", _("乡镇街道")
    VILLAGE = "village", _("村社区")
    GRID = "grid", _("网格")


# Code length per level (GB/T 2260 six digits for county level and above; statistical division
# codes 9 and 12 digits; grids 15 digits = village code + 3-digit serial, docs/domain §7).
CODE_LENGTH = {Level.CITY: 6, Level.DISTRICT: 6, Level.TOWN: 9, Level.VILLAGE: 12, Level.GRID: 15}
PARENT_LEVEL = {
    Level.DISTRICT: Level.CITY,
    Level.TOWN: Level.DISTRICT,
    Level.VILLAGE: Level.TOWN,
    Level.GRID: Level.VILLAGE,
}
LEVEL_ORDER = [Level.CITY, Level.DISTRICT, Level.TOWN, Level.VILLAGE, Level.GRID]
