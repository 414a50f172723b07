"""Demo safety education: a course for farmers with a quiz, law publicity and warning knowledge, and
activities in urban and mountain townships (labelled as examples in their text)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from .models import Activity, Article, Course, Lesson, Question

COURSE_TITLE = "农村安全生产与防灾避险基础"

LESSONS = [
    (
        "用电与燃气安全",
        "不私拉乱接电线;电器起火先断电,不能用水扑救。\n液化气瓶直立存放,用完关阀;闻到燃气味开窗通风,不开关电器、不打电话。",
    ),
    (
        "农机与农药安全",
        "农机带病不作业,酒后不驾驶;拖拉机不载人。\n配药、喷药戴手套口罩,顺风喷洒;农药锁好存放,远离儿童和食物。",
    ),
    (
        "暴雨、山洪与地质灾害避险",
        "听到暴雨橙色、红色预警,远离河道、山脚和陡坡;\n发现山体裂缝、泉水变浑、异常声响,立即向高处转移并报告村委会。",
    ),
]
QUESTIONS = [
    (
        "电器起火时,首先应该怎么做?",
        ["用水浇灭", "切断电源", "打开门窗"],
        1,
        "先断电再灭火,带电用水扑救会触电。",
    ),
    (
        "闻到液化气味时,下列做法正确的是?",
        ["开灯查看", "打电话求助", "关阀开窗通风后到室外报告"],
        2,
        "开关电器和打电话都可能产生火花。",
    ),
    ("拖拉机可以载人吗?", ["可以", "不可以"], 1, "拖拉机载人是农村交通事故的主要原因之一。"),
    ("喷洒农药时应该?", ["逆风喷洒", "顺风喷洒并戴手套口罩", "不用防护"], 1, ""),
    (
        "发现山体出现裂缝、泉水突然变浑,应该?",
        ["继续观察", "立即向高处转移并报告", "去河边躲避"],
        1,
        "这些是滑坡、泥石流的前兆。",
    ),
]
ARTICLES = [
    (
        "law",
        "《安全生产法》:从业人员的权利和义务",
        "从业人员有权了解作业场所的危险因素、防范措施和事故应急措施;有权对安全生产工作提出批评、检举、控告;有权拒绝违章指挥和强令冒险作业;发现直接危及人身安全的紧急情况时,有权停止作业或者在采取可能的应急措施后撤离作业场所。\n从业人员应当遵守安全生产规章制度和操作规程,正确佩戴和使用劳动防护用品,接受安全生产教育和培训,发现事故隐患立即报告。",
    ),
    (
        "law",
        "《职业病防治法》:劳动者享有的职业卫生保护权利",
        "劳动者有权获得职业卫生教育、培训;获得职业健康检查、职业病诊疗、康复等职业病防治服务;了解工作场所产生或者可能产生的职业病危害因素、危害后果和应当采取的职业病防护措施;要求用人单位提供符合防治职业病要求的防护设施和个人防护用品。",
    ),
    (
        "knowledge",
        "暴雨预警信号的颜色代表什么",
        "蓝色:12小时内降雨量将达50毫米以上;黄色:6小时内将达50毫米以上;橙色:3小时内将达50毫米以上;红色:3小时内将达100毫米以上。\n橙色、红色预警时,停止户外集体活动,危险地带人员转移到安全场所;广东省的预警信号以气象部门发布为准。",
    ),
    (
        "article",
        "家庭应急包准备清单",
        "饮用水、方便食品、手电筒和备用电池、收音机、急救药品、重要证件复印件、哨子、雨衣。每半年检查一次,及时更换过期物品。",
    ),
]


def ensure_course() -> Course:
    course, created = Course.objects.get_or_create(
        title=COURSE_TITLE,
        defaults={
            "summary": "面向农民和农村基层干部的安全基础课程,手机即可学习。",
            "audience": "农民、村(居)干部",
            "hours": 2,
            "pass_mark": 80,
        },
    )
    if created:
        for i, (title, body) in enumerate(LESSONS, start=1):
            Lesson.objects.create(course=course, order=i, title=title, body=body)
        for text, options, answer, why in QUESTIONS:
            Question.objects.create(course=course, text=text, options=options, answer=answer, explanation=why)
    return course


def seed(log: Callable[[str], Any] = print) -> None:
    from pingan.geo.models import Division

    ensure_course()
    for kind, title, body in ARTICLES:
        Article.objects.get_or_create(
            title=title, defaults={"kind": kind, "body": body, "summary": body[:60]}
        )
    _volunteer_team(log)
    if Activity.objects.exists():
        log("culture: demo activities already present")
        return
    towns = list(Division.objects.filter(level="town").order_by("code"))
    year = date.today().year
    for i, town in enumerate(towns[:40]):
        for back in range(3):
            Activity.objects.create(
                kind=("lecture", "skills", "drill")[(i + back) % 3],
                title=f"[示例] {town.name}安全宣传进村入校",
                place=f"{town.name}文化室",
                held_on=date(year - back, 3 + (i % 8), 10),
                division=town,
                farmers=20 + (i * 7 + back * 5) % 60,
                students=(i * 11) % 50,
                workers=(i * 3) % 30,
            )
    log("culture: demo course, articles and activities")


TEAM_ORG = "[示例] 北部山区蓝天救援志愿队"
ADMIN = "city_admin"  # the demo city administrator registers it


def _volunteer_team(log: Callable[[str], Any]) -> None:
    """A social rescue organisation of a mountain township with three volunteers, registered as a
    volunteer team the rescue dispatch can call out (decision 0013)."""
    from pingan.geo.models import Division
    from pingan.org.models import User

    from . import actions, rules
    from .models import SocialOrganisation, Volunteer

    if SocialOrganisation.objects.filter(name=TEAM_ORG).exists():
        return
    admin = User.objects.filter(username=ADMIN).first()
    town = next(
        (
            d
            for d in Division.objects.filter(level="town", lat__isnull=False).order_by("code")
            if rules.is_mountain(d.code)
        ),
        None,
    )
    if admin is None or town is None:
        log("culture: no city administrator or mountain township — no volunteer team")
        return
    org = actions.do_save_organisation(
        admin,
        None,
        {
            "name": TEAM_ORG,
            "kind": "rescue",
            "division": town,
            "members": 24,
            "capabilities": "山地搜救、水域救援、应急救护",
            "leader": "[示例] 队长",
            "phone": "0763-0000000",
            "lat": town.lat,
            "lon": town.lon,
        },
    )
    for name, skills, cert in (
        ("[示例] 志愿者甲", "绳索救援", "山地救援员证"),
        ("[示例] 志愿者乙", "冲锋舟驾驶", "船员证"),
        ("[示例] 志愿者丙", "急救", ""),
    ):
        Volunteer.objects.create(name=name, division=town, organisation=org, skills=skills, certificates=cert)
    actions.do_register_team(admin, org, ["search", "water", "medical"])
    log(f"culture: volunteer team of {town.name} registered for dispatch")
