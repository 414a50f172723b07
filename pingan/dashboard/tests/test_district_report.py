"""The district's monthly or quarterly report (月报/季报): periods (vectors), figures against independent
SQL counts for the period and the previous one, the PDF, who may download it, bad inputs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from pingan.core.testing import pdf_text
from pingan.dashboard import reports, rules
from pingan.hazards.models import HazardCase
from pingan.hazards.tests.factories import submit

D = dt.date


@pytest.mark.parametrize(
    "kind,day,expected",
    [
        ("month", D(2026, 11, 30), (D(2026, 11, 1), D(2026, 11, 30), D(2026, 10, 1), D(2026, 10, 31))),
        ("month", D(2026, 3, 1), (D(2026, 3, 1), D(2026, 3, 31), D(2026, 2, 1), D(2026, 2, 28))),
        ("month", D(2026, 1, 15), (D(2026, 1, 1), D(2026, 1, 31), D(2025, 12, 1), D(2025, 12, 31))),
        ("quarter", D(2026, 11, 30), (D(2026, 10, 1), D(2026, 12, 31), D(2026, 7, 1), D(2026, 9, 30))),
        ("quarter", D(2026, 2, 10), (D(2026, 1, 1), D(2026, 3, 31), D(2025, 10, 1), D(2025, 12, 31))),
        ("quarter", D(2024, 6, 30), (D(2024, 4, 1), D(2024, 6, 30), D(2024, 1, 1), D(2024, 3, 31))),
    ],
)
def test_report_periods(kind, day, expected):
    assert rules.report_period(kind, day) == expected


YEAR = timezone.localdate().year - 1


def at(month, day):
    return timezone.make_aware(dt.datetime(YEAR, month, day, 10))


@pytest.fixture
def cases(world):
    """清城区: 3 hazards in May (one closed), 1 in April; 英德市: 2 in May."""
    for area, month, day, closed in [
        ("qingcheng", 5, 3, True),
        ("qingcheng", 5, 9, False),
        ("qingcheng", 5, 28, False),
        ("qingcheng", 4, 12, False),
        ("yingde", 5, 4, False),
        ("yingde", 5, 5, False),
    ]:
        case = submit(world, area=area)
        fields = {"created_at": at(month, day), "due_at": timezone.now() + dt.timedelta(days=400)}
        if closed:
            fields.update(state="closed", closed_at=at(month, day + 1))
        HazardCase.objects.filter(pk=case.pk).update(**fields)


def sql_found(prefix, start, end):
    with connection.cursor() as cur:
        cur.execute(
            """SELECT count(*) FROM hazards_hazardcase h JOIN geo_division d ON d.id = h.division_id
               WHERE d.path LIKE %s AND h.created_at >= %s AND h.created_at < %s
                 AND h.state NOT IN ('declined', 'merged')""",
            [prefix + "%", start, end],
        )
        return cur.fetchone()[0]


def test_figures_match_independent_sql(world, cases):
    content = reports.build(
        world.user("city_admin", "city"), world.districts["qingcheng"], "month", D(YEAR, 5, 20)
    )
    found = next(r for r in content["rows"] if r["key"] == "hazards.found")
    may_start = timezone.make_aware(dt.datetime(YEAR, 5, 1))
    june = timezone.make_aware(dt.datetime(YEAR, 6, 1))
    april = timezone.make_aware(dt.datetime(YEAR, 4, 1))
    assert found["value"] == sql_found("441802", may_start, june) == 3
    assert found["previous"] == sql_found("441802", april, may_start) == 1
    assert found["change"] == "+2"
    rate = next(r for r in content["rows"] if r["key"] == "hazards.closure_rate")
    assert rate["value"] == round(100 * 1 / 3, 1)
    assert content["towns"][0][0] == "凤城街道"
    # the district person sees the same figures for their district
    same = reports.build(world.user("area_staff"), world.districts["qingcheng"], "month", D(YEAR, 5, 20))
    assert [r["value"] for r in same["rows"]] == [r["value"] for r in content["rows"]]


def test_pdf_download_and_who_may(world, cases):
    from pingan.core.pdf import FontMissing, cjk_font

    try:
        cjk_font(sans=True)
    except FontMissing:
        pytest.skip("no CJK font on this machine (fonts-noto-cjk)")
    c = Client()
    c.force_login(world.user("area_staff"))
    page = c.get("/console/command/").content.decode()
    assert (
        'data-testid="report-form"' in page
        and "441881" not in page.split('data-testid="report-form"')[1].split("</form>")[0]
    )
    r = c.get(f"/console/command/report.pdf?district=441802&period=quarter&at={YEAR}-05-20")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = pdf_text(r.content)
    assert f"清城区安全生产季报({YEAR}年第2季度)" in text and "凤城街道" in text and "发现隐患" in text
    month = pdf_text(c.get(f"/console/command/report.pdf?district=441802&at={YEAR}-05-20").content)
    assert f"{YEAR}年5月" in month
    # another district: 404; without the command centre: 403
    assert c.get("/console/command/report.pdf?district=441881").status_code == 404
    c.force_login(world.user("grid_worker"))
    assert c.get("/console/command/report.pdf?district=441802").status_code == 403
    c.force_login(world.user("city_admin", "city"))
    assert c.get("/console/command/report.pdf?district=441881&period=month").status_code == 200
    # bad inputs name the parameter (400), never a 500
    for query, name in [
        ("district=441802&period=year", "period"),
        ("district=441802&at=abc", "at"),
        ("district=441802&at=99999-01-01", "at"),
        ("district=999999", "district"),
    ]:
        bad = c.get(f"/console/command/report.pdf?{query}")
        assert bad.status_code == 400 and name in bad.content.decode()
    assert c.get("/console/command/report.pdf").status_code == 404
