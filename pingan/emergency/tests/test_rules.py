import datetime as dt
from decimal import Decimal

import pytest

from pingan.emergency import rules

GRADE_VECTORS = [
    ((2, 9, 9_999_999), "general"),
    ((3, 0, 0), "larger"),
    ((0, 10, 0), "larger"),
    ((0, 0, 10_000_000), "larger"),
    ((9, 49, 49_999_999), "larger"),
    ((10, 0, 0), "major"),
    ((0, 50, 0), "major"),
    ((29, 99, 99_999_999), "major"),
    ((30, 0, 0), "especially_major"),
    ((0, 100, 0), "especially_major"),
    ((0, 0, 100_000_000), "especially_major"),
]


@pytest.mark.parametrize(("counts", "grade"), GRADE_VECTORS)
def test_domain_grade_vectors(counts, grade):
    assert rules.accident_grade(*counts).grade == grade


def test_grade_is_highest_of_three_and_names_criteria():
    r = rules.accident_grade(1, 50, Decimal("10000000"))
    assert r.grade == "major" and r.by == ("serious_injuries",)
    assert "国务院令第493号" in r.basis


def test_loss_boundaries_and_parsing():
    assert rules.accident_grade(0, 0, "49,999,999.99").grade == "larger"
    assert rules.accident_grade(0, 0, "50000000").grade == "major"
    with pytest.raises(ValueError):
        rules.accident_grade(0, 0, "abc")
    with pytest.raises(ValueError):
        rules.accident_grade(-1, 0, 0)
    with pytest.raises(ValueError):
        rules.parse_loss("NaN")


def test_chain_ends_by_grade():
    assert rules.chain_end("general") == "city"
    assert rules.chain_end("larger") == "province"
    assert rules.chain_end("major") == "ministry"
    assert rules.chain_end("especially_major") == "ministry"
    assert rules.chain_hops("general") == [("unit", "county"), ("county", "city")]
    assert rules.chain_hops("larger")[-1] == ("city", "province")
    assert rules.chain_hops("major")[-1] == ("province", "ministry")


def test_chain_vector_yingde_qingyuan_province():
    tz = rules.BEIJING
    learned = dt.datetime(2025, 6, 3, 10, 5, tzinfo=tz)
    # unit head learns 10:05 → report to 英德市应急管理局 due 11:05
    assert rules.hop_due("unit", learned) == dt.datetime(2025, 6, 3, 11, 5, tzinfo=tz)
    # 英德 receives at 10:50 → to 清远 due 12:50
    yd_receipt = dt.datetime(2025, 6, 3, 10, 50, tzinfo=tz)
    assert rules.hop_due("county", yd_receipt) == dt.datetime(2025, 6, 3, 12, 50, tzinfo=tz)
    # 清远 receives 12:30 → to 省厅 due 14:30 (较大)
    assert rules.hop_due("city", dt.datetime(2025, 6, 3, 12, 30, tzinfo=tz)) == dt.datetime(
        2025, 6, 3, 14, 30, tzinfo=tz
    )
    assert rules.level_reached("general", "larger")
    assert not rules.level_reached("major", "especially_major")


def test_skip_level_recorded():
    assert rules.skipped_levels("county", "province") == ["city"]
    assert rules.skipped_levels("unit", "city") == ["county"]
    with pytest.raises(ValueError):
        rules.skipped_levels("city", "county")


def test_late_is_strictly_after():
    due = dt.datetime(2025, 1, 1, 11, 5, tzinfo=rules.BEIJING)
    assert not rules.is_late(due, due)
    assert rules.is_late(due + dt.timedelta(minutes=1), due)


def test_supplement_window_vectors():
    fire = dt.date(2025, 5, 1)
    assert rules.in_supplement_window(fire, dt.date(2025, 5, 7), "fire")
    assert not rules.in_supplement_window(fire, dt.date(2025, 5, 8), "fire")
    # the other reading of the day count (configurable)
    assert rules.in_supplement_window(fire, dt.date(2025, 5, 8), "fire", accident_day_is_day_one=False)
    assert rules.in_supplement_window(fire, dt.date(2025, 5, 30), "general")
    assert not rules.in_supplement_window(fire, dt.date(2025, 5, 31), "general")
    assert rules.in_supplement_window(fire, dt.date(2025, 5, 7), "road_traffic")


def test_sanfang_slots_beijing_time():
    tz = rules.BEIJING
    start = dt.datetime(2025, 6, 1, 8, 30, tzinfo=tz)
    slots = rules.sanfang_slots(start, dt.datetime(2025, 6, 2, 9, 0, tzinfo=tz))
    assert [s.strftime("%d %H:%M") for s in slots] == ["01 09:00", "01 16:00", "02 09:00"]
    # stored in UTC: 09:00 Beijing is 01:00 UTC
    assert slots[0].astimezone(dt.UTC).hour == 1
    assert rules.next_sanfang_slot(dt.datetime(2025, 6, 1, 16, 0, tzinfo=tz)).strftime("%d %H") == "02 09"


def test_rotation_and_gaps():
    tz = rules.BEIJING
    start = dt.datetime(2025, 6, 1, 0, 0, tzinfo=tz)
    shifts = rules.rotation_shifts(
        dt.date(2025, 6, 1), dt.time(8, 30), 24, 3, start, start + dt.timedelta(days=3)
    )
    assert [c for _s, _e, c in shifts] == [0, 1, 2]  # crews in turn from the rotation's first day
    gaps = rules.coverage_gaps([(s, e, c != 1) for s, e, c in shifts], start, start + dt.timedelta(days=3))
    # before the rotation starts (00:00–08:30) and crew 1's unstaffed day
    assert [
        (g[0].astimezone(tz).strftime("%d %H:%M"), g[1].astimezone(tz).strftime("%d %H:%M")) for g in gaps
    ] == [("01 00:00", "01 08:30"), ("02 08:30", "03 08:30")]


def test_ical_is_rfc5545():
    tz = rules.BEIJING
    ev = {
        "uid": "shift-1@pingan",
        "start": dt.datetime(2025, 6, 1, 8, 30, tzinfo=tz),
        "end": dt.datetime(2025, 6, 2, 8, 30, tzinfo=tz),
        "summary": "值班;英德市应急管理局,值班室",
        "description": "带班领导:张三\n值班员:李四" * 5,
    }
    text = rules.ical([ev], calname="值班", stamp=dt.datetime(2025, 5, 1, tzinfo=dt.UTC))
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert "DTSTART:20250601T003000Z" in text and "SUMMARY:值班\\;英德市应急管理局\\,值班室" in text
    for line in text.split("\r\n"):
        assert len(line.encode()) <= 75
    assert text.endswith("END:VCALENDAR\r\n")


def test_missing_contents():
    assert rules.missing_contents(
        {
            "unit_overview": "x",
            "occurred_place_scene": "x",
            "course": "x",
            "casualties_loss": "x",
            "measures": "",
        }
    ) == ["measures"]


def test_rule_tables_carry_source():
    assert "应急管理部令第14号" in rules.FINDING_RULES[0]["source"]
    assert "国务院令第493号" in rules.GRADE_RULES[0]["source"]
    for table in (
        rules.GRADE_RULES,
        rules.CHAIN_RULES,
        rules.SUPPLEMENT_RULES,
        rules.SANFANG_RULES,
        rules.FINDING_RULES,
    ):
        assert all(r["source"] and r["effective_from"] for r in table)


def test_grade_table_shown_to_people_is_derived_from_the_rule():
    from pingan.emergency.rules import grade_table

    assert grade_table() == [
        {
            "grade": "especially_major",
            "deaths": "≥30",
            "serious_injuries": "≥100",
            "direct_loss": "≥100,000,000",
        },
        {
            "grade": "major",
            "deaths": "10–29",
            "serious_injuries": "50–99",
            "direct_loss": "50,000,000 – <100,000,000",
        },
        {
            "grade": "larger",
            "deaths": "3–9",
            "serious_injuries": "10–49",
            "direct_loss": "10,000,000 – <50,000,000",
        },
        {"grade": "general", "deaths": "<3", "serious_injuries": "<10", "direct_loss": "<10,000,000"},
    ]
