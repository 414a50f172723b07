"""The demo logins printed by `make run`, one per role (created by org's demo seed).

Demo only: the shared password is printed on purpose. A production install creates real accounts
in the admin and never runs the demo seed.
"""

DEMO_PASSWORD = "Pingan@2026demo"

# (username, role, where)
DEMO_ACCOUNTS = [
    ("admin", "superuser", "系统管理员 /admin/"),
    ("city_admin", "city_admin", "清远市"),
    ("dispatcher", "dept_staff", "清远市安全隐患受理中心"),
    ("city_em", "dept_staff", "清远市应急管理局"),
    ("qingcheng_staff", "area_staff", "清城区"),
    ("qingcheng_em", "dept_staff", "清城区应急管理局"),
    ("yingde_staff", "area_staff", "英德市"),
    ("yingde_duty", "duty_officer", "英德市应急管理局 值班室"),
    ("city_duty", "duty_officer", "清远市应急管理局 值班室"),
    ("city_leader", "duty_leader", "清远市应急管理局 带班领导"),
    ("liannan_grid", "grid_worker", "连南瑶族自治县 三江镇 网格"),
    ("qingcheng_inspector", "inspector", "清城区应急管理局 执法"),
    ("enterprise_demo", "enterprise", "演示化工企业"),
    ("rescue_lead", "rescue_lead", "连州市 救援队"),
    ("citizen", "public", "公众"),
    ("integration", "integration", "系统对接(令牌)"),
]
