"""The annual assessment: opening a year, weights (validated to 100), manual scores, publication (each
audited), the ranking against independent SQL counts, reports as PDF, who sees which unit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from pingan.assessment import actions, scoring
from pingan.assessment.models import Assessment
from pingan.core.actions import ActionError, Conflict, Forbidden
from pingan.core.models import AuditEvent
from pingan.core.testing import pdf_text
from pingan.hazards.models import HazardCase
from pingan.hazards.tests.factories import submit

YEAR = timezone.localdate().year - 1  # a whole year in the past: the figures do not move with today

SCHEME = [
    {
        "unit_kind": "district",
        "source": "kpi",
        "key": "hazards.closure_rate",
        "label": "隐患整改率",
        "weight": 50,
    },
    {"unit_kind": "district", "source": "kpi", "key": "hazards.overdue", "label": "逾期隐患", "weight": 30},
    {
        "unit_kind": "district",
        "source": "manual",
        "key": "manual.leadership",
        "label": "专题研究",
        "weight": 20,
    },
    {"unit_kind": "department", "source": "duty", "key": "duty.signed", "label": "责任清单", "weight": 40},
    {
        "unit_kind": "department",
        "source": "manual",
        "key": "manual.supervision",
        "label": "监管",
        "weight": 60,
    },
]


def at(month, day, hour=10):
    return timezone.make_aware(dt.datetime(YEAR, month, day, hour))


@pytest.fixture
def hazards(world):
    """清城区: 4 cases, 3 closed, 0 overdue; 英德市: 4 cases, 1 closed, 2 overdue at the year's end."""
    spec = [
        ("qingcheng", 3, True, False),
        ("qingcheng", 4, True, False),
        ("qingcheng", 5, True, False),
        ("qingcheng", 6, False, False),
        ("yingde", 3, True, False),
        ("yingde", 4, False, True),
        ("yingde", 5, False, True),
        ("yingde", 6, False, False),
    ]
    for area, month, closed, overdue in spec:
        case = submit(world, area=area)
        fields = {"created_at": at(month, 10)}
        if closed:
            fields.update(state="closed", closed_at=at(month, 20))
        fields["due_at"] = at(month, 25) if overdue else timezone.now() + dt.timedelta(days=400)
        HazardCase.objects.filter(pk=case.pk).update(**fields)


@pytest.fixture
def assessment(world):
    admin = world.user("city_admin", "city")
    a = actions.do_open(admin, YEAR)
    actions.do_set_weights(admin, a, SCHEME)
    return a


def sql_counts():
    """Independent of the figures: per district, cases created in the year, closed, overdue at its end."""
    start, end = at(1, 1, 0), timezone.make_aware(dt.datetime(YEAR + 1, 1, 1))
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT substr(d.path, 1, 6),
                   count(*),
                   sum(CASE WHEN h.state = 'closed' THEN 1 ELSE 0 END),
                   sum(CASE WHEN h.state NOT IN ('closed', 'declined', 'merged') AND h.due_at < %s
                            THEN 1 ELSE 0 END)
            FROM hazards_hazardcase h JOIN geo_division d ON d.id = h.division_id
            WHERE h.created_at >= %s AND h.created_at < %s AND h.state NOT IN ('declined', 'merged')
            GROUP BY substr(d.path, 1, 6)
            """,
            [end, start, end],
        )
        return {row[0]: (row[1], row[2], row[3]) for row in cur.fetchall()}


def test_ranking_matches_independent_sql(world, hazards, assessment):
    admin = world.user("city_admin", "city")
    leadership = assessment.items.get(key="manual.leadership")
    actions.do_score(admin, assessment, item=leadership.pk, unit="441802", score="70")
    actions.do_score(admin, assessment, item=leadership.pk, unit="441881", score="100")
    counts = sql_counts()
    qc_n, qc_closed, qc_over = counts["441802"]
    yd_n, yd_closed, yd_over = counts["441881"]
    assert (qc_n, qc_closed, qc_over, yd_n, yd_closed, yd_over) == (4, 3, 0, 4, 1, 2)
    rate_qc, rate_yd = 100 * qc_closed / qc_n, 100 * yd_closed / yd_n  # 75, 25
    # two districts: the better one scores 100, the other 60, per item
    expected_qc = (50 * 100 + 30 * 100 + 20 * 70) / 100
    expected_yd = (50 * 60 + 30 * 60 + 20 * 100) / 100
    data = scoring.compute(assessment)
    rows = {u["code"]: u for u in data["kinds"]["district"]["units"]}
    assert rows["441802"]["values"]["hazards.closure_rate"] == rate_qc
    assert rows["441881"]["values"]["hazards.closure_rate"] == rate_yd
    assert rows["441802"]["values"]["hazards.overdue"] == qc_over
    assert rows["441881"]["values"]["hazards.overdue"] == yd_over
    assert rows["441802"]["total"] == expected_qc == 94.0
    assert rows["441881"]["total"] == expected_yd == 68.0
    assert [u["code"] for u in data["kinds"]["district"]["units"]] == ["441802", "441881"]
    assert rows["441802"]["rank"] == 1 and rows["441881"]["rank"] == 2


def test_departments_scored_on_signing_and_manual_items(world, assessment, make_list):
    admin = world.user("city_admin", "city")
    em = world.departments["city_em"]
    on_time = make_list(
        "qingcheng",
        year=YEAR,
        post="市应急管理局局长",
        kind="department",
        division=world.city,
        department=em,
        holder=admin,
        sign_by=dt.date(YEAR, 12, 31),
    )
    make_list(
        "qingcheng",
        year=YEAR,
        post="市应急管理局副局长",
        kind="deputy",
        division=world.city,
        department=em,
        holder=world.user("dept_staff", "city"),
        sign_by=dt.date(YEAR, 12, 31),
    )
    actions.do_sign(admin, on_time)  # signed now: after the deadline of last year → not on time
    data = scoring.compute(assessment)
    em_row = next(u for u in data["kinds"]["department"]["units"] if u["code"] == em.code)
    assert em_row["values"]["duty.signed"] == 0.0
    type(on_time).objects.filter(pk=on_time.pk).update(signed_at=at(12, 1))
    sup = assessment.items.get(key="manual.supervision")
    actions.do_score(admin, assessment, item=sup.pk, unit=em.code, score="90", note="年终检查")
    em_row = next(
        u for u in scoring.compute(assessment)["kinds"]["department"]["units"] if u["code"] == em.code
    )
    assert em_row["values"]["duty.signed"] == 50.0
    assert em_row["total"] == (40 * 50 + 60 * 90) / 100


def test_transitions_are_audited_and_publication_freezes(world, hazards, assessment):
    admin = world.user("city_admin", "city")
    leadership = assessment.items.get(key="manual.leadership")
    actions.do_score(admin, assessment, item=leadership.pk, unit="441802", score="80")
    actions.do_publish(admin, assessment)
    assessment.refresh_from_db()
    frozen = assessment.results["kinds"]["district"]["units"]
    # after publication nothing changes: new hazards do not move the announced ranking
    submit(world, area="yingde")
    assert scoring.results(assessment)["kinds"]["district"]["units"] == frozen
    with pytest.raises(Forbidden):
        actions.do_score(admin, assessment, item=leadership.pk, unit="441802", score="10")
    with pytest.raises(Forbidden):
        actions.do_set_weights(admin, assessment, SCHEME)
    with pytest.raises(Forbidden):
        actions.do_publish(admin, assessment)
    names = list(
        AuditEvent.objects.filter(action__startswith="assessment.assessment", object_id=str(assessment.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert names == [
        "assessment.assessment.create",
        "assessment.assessment.weights",
        "assessment.assessment.score",
        "assessment.assessment.publish",
    ]
    published = AuditEvent.objects.get(action="assessment.assessment.publish")
    assert published.after["ranking"]["district"][0][0] == "441802"
    with pytest.raises(Conflict):
        actions.do_open(admin, YEAR)


def test_only_the_city_manages(world, assessment):
    for role, area in [("area_staff", "qingcheng"), ("dept_staff", "city"), ("duty_leader", "qingcheng")]:
        with pytest.raises(Forbidden):
            actions.do_set_weights(world.user(role, area), assessment, SCHEME)
        with pytest.raises(Forbidden):
            actions.do_publish(world.user(role, area), assessment)
        with pytest.raises(Forbidden):
            actions.do_open(world.user(role, area), YEAR + 5)


@pytest.mark.parametrize(
    "change,field,code",
    [
        (lambda s: s[0].update(weight=49), "items", "sum"),
        (lambda s: s[3].update(weight="abc"), "items[3].weight", "invalid"),
        (lambda s: s[0].update(weight=-50) or s[1].update(weight=130), "items[0].weight", "min_value"),
        (lambda s: s[0].update(key="nonexistent.figure"), "items[0].key", "invalid_choice"),
        (lambda s: s[4].update(source="kpi", key="hazards.found"), "items[4].source", "kpi_department"),
        (lambda s: s[1].update(key="hazards.closure_rate"), "items[1].key", "duplicate"),
        (lambda s: s[2].update(label=""), "items[2].label", "required"),
        (lambda s: s[2].update(unit_kind="village"), "items[2].unit_kind", "invalid_choice"),
        (lambda s: s[2].update(source="guess"), "items[2].source", "invalid_choice"),
    ],
)
def test_weights_validation(world, assessment, change, field, code):
    rows = [dict(r) for r in SCHEME]
    change(rows)
    with pytest.raises(ActionError) as exc:
        actions.do_set_weights(world.user("city_admin", "city"), assessment, rows)
    assert (exc.value.field, exc.value.code) == (field, code)
    assert sum(i.weight for i in assessment.items.filter(unit_kind="district")) == Decimal(100)  # unchanged


@pytest.mark.parametrize(
    "over,field",
    [
        ({"score": "101"}, "score"),
        ({"score": "-1"}, "score"),
        ({"score": "NaN"}, "score"),
        ({"score": "abc"}, "score"),
        ({"unit": "999999"}, "unit"),
        ({"unit": "441800-em"}, "unit"),  # a department on a district item
        ({"item": "abc"}, "item"),
        ({"item": 2**70}, "item"),
        ({"note": "x" * 501}, "note"),
    ],
)
def test_score_bad_inputs(world, assessment, over, field):
    item = assessment.items.get(key="manual.leadership")
    kwargs = {"item": item.pk, "unit": "441802", "score": "80", "note": ""} | over
    with pytest.raises(ActionError) as exc:
        actions.do_score(world.user("city_admin", "city"), assessment, **kwargs)
    assert exc.value.field == field


def test_kpi_item_cannot_be_scored_by_hand(world, assessment):
    kpi = assessment.items.get(key="hazards.closure_rate")
    with pytest.raises(ActionError) as exc:
        actions.do_score(world.user("city_admin", "city"), assessment, item=kpi.pk, unit="441802", score="80")
    assert exc.value.field == "item"


def font_or_skip():
    from pingan.core.pdf import FontMissing, cjk_font

    try:
        cjk_font(sans=True)
    except FontMissing:
        pytest.skip("no CJK font on this machine (fonts-noto-cjk)")


def test_pages_reports_and_scoping(world, hazards, assessment, django_assert_max_num_queries):
    font_or_skip()
    c = Client()
    c.force_login(world.user("city_admin", "city"))
    page = c.get(f"/console/assessment/?year={YEAR}").content.decode()
    assert 'data-testid="ranking-district"' in page and "英德市" in page and 'data-testid="publish"' in page
    report = c.get(f"/console/assessment/{YEAR}/report.pdf")
    assert report.status_code == 200 and report["Content-Type"] == "application/pdf"
    text = pdf_text(report.content)
    assert "考核" in text and "清城区" in text and "英德市" in text
    unit = c.get(f"/console/assessment/{YEAR}/district/441881.pdf")
    assert unit.status_code == 200 and "英德市" in pdf_text(unit.content)
    # a district sees its own row, its own report, and 404 for the other district's
    c.force_login(world.user("area_staff", "yingde"))
    page = c.get(f"/console/assessment/?year={YEAR}").content.decode()
    assert 'data-unit="441881"' in page and 'data-unit="441802"' not in page
    assert 'data-testid="publish"' not in page
    assert c.get(f"/console/assessment/{YEAR}/district/441881.pdf").status_code == 200
    assert c.get(f"/console/assessment/{YEAR}/district/441802.pdf").status_code == 404
    assert "清城区" not in pdf_text(c.get(f"/console/assessment/{YEAR}/report.pdf").content)
    assert c.get(f"/console/assessment/{YEAR}/weights/").status_code == 403
    assert c.post(f"/console/assessment/{YEAR}/publish/").status_code == 403
    # bad inputs: 400 naming the parameter or 404, never 500
    assert c.get("/console/assessment/?year=abc").status_code == 400
    assert c.get("/console/assessment/99999/report.pdf").status_code == 404
    assert c.get(f"/console/assessment/{YEAR}/village/441881.pdf").status_code == 404
    assert c.get(f"/console/assessment/{YEAR}/district/nonsense.pdf").status_code == 404
    # people who do not read assessments
    for role in ("grid_worker", "enterprise", "inspector"):
        c.force_login(world.user(role))
        assert c.get("/console/assessment/").status_code == 403
    c.force_login(world.user("city_admin", "city"))
    with django_assert_max_num_queries(40):
        assert c.get(f"/console/assessment/?year={YEAR}").status_code == 200


def test_console_weights_score_publish(world, assessment):
    c = Client()
    c.force_login(world.user("city_admin", "city"))
    form = c.get(f"/console/assessment/{YEAR}/weights/").content.decode()
    assert "hazards.closure_rate" in form
    bad = c.post(f"/console/assessment/{YEAR}/weights/", {"scheme": "district|manual|a|甲|50"})
    assert bad.status_code == 200 and "100" in bad.content.decode()
    good = "district|manual|manual.a|甲|100\ndepartment|manual|manual.b|乙|100"
    assert c.post(f"/console/assessment/{YEAR}/weights/", {"scheme": good}).status_code == 302
    item = assessment.items.get(key="manual.a")
    r = c.post(f"/console/assessment/{YEAR}/score/", {"item": item.pk, "unit": "441802", "score": "88"})
    assert r.status_code == 302
    assert c.post(f"/console/assessment/{YEAR}/publish/").status_code == 302
    assessment.refresh_from_db()
    assert assessment.state == "published"
    assert assessment.results["kinds"]["district"]["units"][0]["total"] == 88.0
    # the open button for a new year
    assert c.post("/console/assessment/open/", {"year": YEAR + 1}).status_code == 302
    assert Assessment.objects.filter(year=YEAR + 1).exists()
