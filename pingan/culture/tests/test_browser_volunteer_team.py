"""In a browser: the emergency department registers a social rescue organisation in the culture
console, registers it as a volunteer team, and the team is in the rescue directory the dispatch ranks;
a lesson image is uploaded from the console."""

import io

import pytest
from PIL import Image

from pingan.core.testing import PASSWORD, make_world
from pingan.culture.demo import ensure_course
from pingan.culture.models import Lesson, SocialOrganisation, Volunteer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organisation_becomes_a_volunteer_team_and_lesson_media(page, login, shot, tmp_path):
    world = make_world()
    course = ensure_course()
    pg = page
    login(pg, world.user("dept_staff").username, PASSWORD)
    pg.goto(pg.base + "/console/culture/")
    pg.click("[data-testid=new-organisation]")
    pg.fill("#id_name", "清城蓝天救援队")
    pg.select_option("#id_kind", "rescue")
    pg.select_option("#id_division", str(world.towns["qingcheng"].pk))
    pg.fill("#id_members", "28")
    pg.fill("#id_phone", "13800000000")
    pg.fill("#id_lat", "23.72")
    pg.fill("#id_lon", "113.12")
    pg.click("button[type=submit]")
    pg.wait_for_selector("[data-testid=organisations]")
    org = SocialOrganisation.objects.get(name="清城蓝天救援队")
    Volunteer.objects.create(name="张志愿", division=org.division, organisation=org, certificates="救护员证")
    pg.click(f"[data-testid=register-team-{org.pk}]")
    pg.check("input[name=capabilities][value=search]")
    pg.check("input[name=capabilities][value=water]")
    shot(pg, "culture-team-1-capabilities")
    pg.click("button[type=submit]")
    pg.wait_for_selector(f"[data-testid=team-{org.pk}] a")
    assert "ZYD-" in pg.inner_text(f"[data-testid=team-{org.pk}]")
    shot(pg, "culture-team-2-registry")
    pg.click(f"[data-testid=team-{org.pk}] a")
    pg.wait_for_load_state("networkidle")
    assert "社会救援志愿队" in pg.content() and "张志愿" in pg.content()
    shot(pg, "culture-team-3-rescue-directory")

    image = tmp_path / "flood.png"
    buf = io.BytesIO()
    Image.new("RGB", (320, 200), (30, 110, 200)).save(buf, "PNG")
    image.write_bytes(buf.getvalue())
    pg.goto(pg.base + "/console/culture/lessons/new/")
    pg.select_option("#id_course", str(course.pk))
    pg.fill("#id_order", "9")
    pg.fill("#id_title", "暴雨天气出行安全")
    pg.fill("#id_body", "遇到积水绕行,不涉水过河。")
    pg.set_input_files("#id_image", str(image))
    pg.click("button[type=submit]")
    pg.wait_for_selector("[data-testid=lessons]")
    assert Lesson.objects.get(title="暴雨天气出行安全").image.name.endswith(".png")
    shot(pg, "culture-team-4-lessons")
