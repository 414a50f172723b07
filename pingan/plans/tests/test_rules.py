"""The vectors of docs/domain/14-plans.md and the matching rules."""

import datetime as dt

from pingan.plans import rules
from pingan.plans.rules import PlanFacts


def test_onsite_plan_drilled_2026_03_10_is_due_by_2026_09_10():
    assert rules.next_drill_due("onsite", dt.date(2026, 3, 10)) == dt.date(2026, 9, 10)


def test_comprehensive_and_special_plans_drill_yearly():
    assert rules.next_drill_due("general", dt.date(2026, 3, 10)) == dt.date(2027, 3, 10)
    assert rules.next_drill_due("special", dt.date(2026, 3, 10)) == dt.date(2027, 3, 10)


def test_month_end_is_clamped():
    assert rules.next_drill_due("onsite", dt.date(2026, 8, 31)) == dt.date(2027, 2, 28)
    assert rules.add_months(dt.date(2027, 8, 29), 6) == dt.date(2028, 2, 29)


def test_plan_published_on_mid_autumn_friday_is_filed_by_2026_10_29():
    # 2026-09-25 (Friday, 中秋) + 20 working days, the National Day week and its 调休 counted by the calendar
    assert rules.filing_due(dt.date(2026, 9, 25)) == dt.date(2026, 10, 29)


def test_filing_counts_administrators_overrides():
    # a local holiday on 2026-10-12 pushes the last day by one working day
    assert rules.filing_due(dt.date(2026, 9, 25), {dt.date(2026, 10, 12): False}) == dt.date(2026, 10, 30)


def test_evaluation_every_three_years_for_high_risk_enterprises_and_government():
    assert rules.evaluation_due(dt.date(2026, 3, 10), True, True) == dt.date(2029, 3, 10)
    assert rules.evaluation_due(dt.date(2026, 3, 10), True, False) is None
    assert rules.evaluation_due(dt.date(2026, 3, 10), False, False) == dt.date(2029, 3, 10)


def test_high_risk():
    assert rules.is_high_risk("hazchem")
    assert rules.is_high_risk("fireworks", "small")
    assert rules.is_high_risk("trade", "medium")
    assert not rules.is_high_risk("trade", "small")


def test_levels():
    assert rules.incident_level("2", "general") == "2"
    assert rules.incident_level("", "larger") == "3"
    assert rules.incident_level("", "") == ""
    assert rules.warning_level("red") == "1"
    assert rules.warning_level("unknown") == ""


def test_warning_event_types():
    assert "flood_drought" in rules.warning_event_types("11B03")
    assert rules.warning_event_types("11G01") == ["forest_fire"]
    assert rules.warning_event_types("99Z") == []


def plans():
    return [
        PlanFacts(1, "general", (), ("1", "2", "3", "4"), "4418"),
        PlanFacts(2, "special", ("fire", "workplace"), ("3", "4"), "441802"),
        PlanFacts(3, "onsite", ("fire",), ("4",), "441802006"),
        PlanFacts(4, "special", ("fire",), ("3", "4"), "441881"),  # another district
        PlanFacts(5, "special", ("flood_drought",), ("3", "4"), "441802"),  # another type
        PlanFacts(6, "special", ("fire",), ("3", "4"), "441802", effective=False),  # draft
        PlanFacts(7, "special", (), ("4",), "441802"),  # a special plan must name its types
    ]


def test_matching_by_type_level_and_area_most_local_first():
    assert rules.matches(plans(), ["fire"], "4", "441802006001") == [3, 2, 1]


def test_matching_level_outside_plan():
    assert rules.matches(plans(), ["fire"], "2", "441802006001") == [1]


def test_matching_unknown_level_offers_every_plan():
    assert rules.matches(plans(), ["fire"], "", "441802") == [2, 1]


def test_task_applies_at_its_level_and_above():
    assert rules.task_applies("4", "4")
    assert rules.task_applies("4", "3")
    assert not rules.task_applies("3", "4")


def test_on_time():
    due = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    assert rules.on_time(due, due)
    assert not rules.on_time(due + dt.timedelta(seconds=1), due)
    assert not rules.on_time(None, due)


def test_rule_tables_name_their_source():
    for table in (rules.DRILL_INTERVAL, rules.FILING, rules.EVALUATION, rules.WARNING_EVENT_TYPES):
        assert table["source"] and table["effective_from"]
