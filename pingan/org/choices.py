from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("市级管理员")
    DEPT_STAFF = "dept_staff", _("部门工作人员")
    AREA_STAFF = "area_staff", _("区县/乡镇工作人员")
    GRID_WORKER = "grid_worker", _("网格员")
    INSPECTOR = "inspector", _("执法检查人员")
    DUTY_OFFICER = "duty_officer", _("值班员")
    DUTY_LEADER = "duty_leader", _("带班领导")
    ENTERPRISE = "enterprise", _("企业用户")
    RESCUE_LEAD = "rescue_lead", _("救援队负责人")
    PUBLIC = "public", _("公众")
    INTEGRATION = "integration", _("系统对接(令牌)")


# Roles that work inside the government console (everything but public and enterprise users).
STAFF_ROLES = frozenset(
    {
        Role.CITY_ADMIN,
        Role.DEPT_STAFF,
        Role.AREA_STAFF,
        Role.GRID_WORKER,
        Role.INSPECTOR,
        Role.DUTY_OFFICER,
        Role.DUTY_LEADER,
        Role.RESCUE_LEAD,
        Role.INTEGRATION,
    }
)


class Sector(models.TextChoices):
    """The line of work of a department; routing tables name sectors, not single offices."""

    EMERGENCY = "emergency", _("应急管理")
    FIRE = "fire", _("消防救援")
    POLICE = "police", _("公安")
    TRAFFIC = "traffic", _("交通运输")
    HOUSING = "housing", _("住房和城乡建设")
    MARKET = "market", _("市场监督管理")
    WATER = "water", _("水利")
    WEATHER = "weather", _("气象")
    NATURAL_RESOURCES = "natural_resources", _("自然资源")
    EDUCATION = "education", _("教育")
    HEALTH = "health", _("卫生健康")
    ECOLOGY = "ecology", _("生态环境")
    COURT = "court", _("法院")
    PROCURATORATE = "procuratorate", _("检察院")
    GOVERNMENT = "government", _("政府/街镇综合")
    DISPATCH = "dispatch", _("受理调度中心")
    VILLAGE = "village", _("村(居)委会")
    OTHER = "other", _("其他")


class DepartmentKind(models.TextChoices):
    BUREAU = "bureau", _("市级部门")
    BRANCH = "branch", _("区县部门/分局")
    TOWNSHIP = "township", _("乡镇街道办")
    VILLAGE = "village", _("村(居)委会")
    CENTRE = "centre", _("中心/指挥部")


class Industry(models.TextChoices):
    HAZCHEM = "hazchem", _("危险化学品")
    MINING = "mining", _("非煤矿山")
    METALLURGY = "metallurgy", _("冶金")
    NONFERROUS = "nonferrous", _("有色")
    BUILDING_MATERIALS = "building_materials", _("建材")
    MACHINERY = "machinery", _("机械")
    LIGHT = "light", _("轻工")
    TEXTILE = "textile", _("纺织")
    TOBACCO = "tobacco", _("烟草")
    TRADE = "trade", _("商贸")
    CONSTRUCTION = "construction", _("建筑施工")
    TRANSPORT = "transport", _("道路运输")
    GAS = "gas", _("城镇燃气")
    FIREWORKS = "fireworks", _("烟花爆竹")
    CROWDED = "crowded", _("人员密集场所")
    TOURISM = "tourism", _("旅游景区")
    OTHER = "other", _("其他")


class Scale(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")
