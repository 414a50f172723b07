"""In a browser: a farmer on a phone takes a course, passes the quiz, downloads the certificate, and
the portal verifies it; the console's participation chart puts mountain townships beside urban ones."""

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from pingan.core.testing import PASSWORD, make_world
from pingan.culture import actions
from pingan.culture.demo import ensure_course
from pingan.geo.models import Division

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(page, login, username, phone=False):
    size = {"width": 390, "height": 844} if phone else {"width": 1366, "height": 900}
    ctx = page.context.browser.new_context(locale="zh-CN", viewport=size, accept_downloads=True)
    pg = ctx.new_page()
    pg.set_default_timeout(20000)
    pg.base = page.base
    login(pg, username, PASSWORD)
    return pg


def test_farmer_course_certificate_verified_and_participation_chart(page, login, shot, tmp_path):
    world = make_world()
    course = ensure_course()
    farmer = _as(page, login, "citizen", phone=True)
    farmer.goto(farmer.base + "/learn/")
    farmer.click(f"[data-testid=course] >> text={course.title}")
    shot(farmer, "culture-1-course-phone")
    farmer.click("[data-testid=start]")
    for _ in range(course.lessons.count()):
        farmer.wait_for_selector("[data-testid=lesson]")
        farmer.click("[data-testid=lesson-done]")
    assert "已学 3 / 3 课时" in farmer.inner_text("[data-testid=progress]")  # progress kept
    farmer.click("[data-testid=take-quiz]")
    for q in course.questions.all():
        farmer.check(f"input[name=q{q.pk}][value='{q.answer}']")
    shot(farmer, "culture-2-quiz-phone")
    farmer.click("[data-testid=submit-quiz]")
    assert "合格" in farmer.inner_text("[data-testid=result]")
    code = farmer.inner_text("[data-testid=code]").strip()
    shot(farmer, "culture-3-passed-phone")
    with farmer.expect_download() as info:
        farmer.click("[data-testid=download]")
    pdf = Path(info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    out = Path("var/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    (tmp_path / "cert.pdf").write_bytes(pdf)
    # A picture of the certificate to look at, where poppler is installed (not needed for the test).
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-singlefile",
                str(tmp_path / "cert.pdf"),
                str(out / "culture-4-certificate"),
            ],
            check=False,
        )

    # Anyone checks the code on the portal (as typed from paper: lower case, spaces).
    anon = page
    anon.goto(anon.base + "/learn/")
    anon.fill("[data-testid=verify-box] input[name=code]", code.lower().replace("-", " "))
    anon.click("[data-testid=verify-box] button")
    assert "证书有效" in anon.inner_text("[data-testid=verify-result]")
    assert course.title in anon.inner_text("[data-testid=verify-result]")
    shot(anon, "culture-5-verified")

    # Participation per township per year: a northern mountain township beside urban ones.
    city = Division.objects.get(code="441800")
    lianshan = Division.objects.create(
        code="441825", name="连山县", level="district", parent=city, lat=24.5, lon=112.1
    )
    jitian = Division.objects.create(
        code="441825101", name="吉田镇", level="town", parent=lianshan, lat=24.5, lon=112.1
    )
    admin = world.user("city_admin", "city")
    for year, town, farmers, students in (
        (2024, world.towns["qingcheng"], 80, 40),
        (2024, jitian, 30, 20),
        (2025, world.towns["qingcheng"], 90, 60),
        (2025, jitian, 55, 35),
        (2026, world.towns["yingde"], 70, 30),
        (2026, jitian, 65, 45),
    ):
        actions.do_record_activity(
            admin,
            {
                "kind": "lecture",
                "title": "安全讲座进村",
                "place": "村委会",
                "held_on": date(year, 5, 1),
                "division": town,
                "farmers": farmers,
                "students": students,
            },
        )
    staff = _as(page, login, "cityadmin")
    staff.goto(staff.base + "/console/culture/")
    staff.wait_for_selector("#participation-chart canvas")
    staff.wait_for_timeout(800)  # the bars animate in
    text = staff.inner_text("[data-testid=participation]")
    assert "吉田镇" in text and "北部山区" in text
    shot(staff, "culture-6-participation-chart")
