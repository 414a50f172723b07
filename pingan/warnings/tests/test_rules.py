"""docs/domain §3 and §8 vectors."""

from datetime import datetime, timedelta

import pytest

from pingan.warnings import rules


@pytest.mark.parametrize(
    "colour,severity",
    [
        ("red", "Extreme"),
        ("orange", "Severe"),
        ("yellow", "Moderate"),
        ("blue", "Minor"),
        ("unknown", "Unknown"),
    ],
)
def test_colour_to_cap_severity(colour, severity):
    assert rules.cap_severity(colour) == severity
    assert rules.colour_from_severity(severity) == colour
    # The Chinese feed writes the colour in `severity`: both forms are read.
    assert rules.colour_from_severity(colour.capitalize()) == colour


@pytest.mark.parametrize(
    "rain,hours,signal",
    [
        (55, 3, "orange"),
        (55, 5, "yellow"),
        (100, 3, "red"),
        (50, 12, "blue"),
        (49.9, 3, None),
        (60, 13, None),
    ],
)
def test_national_rainstorm_vectors(rain, hours, signal):
    assert rules.rainstorm_signal(rain, hours) == signal


def test_guangdong_signals_are_never_derived_from_rainfall():
    with pytest.raises(rules.NotDerivable):
        rules.rainstorm_signal(120, 3, scheme="guangdong")


def test_event_codes_are_data_with_a_source():
    assert rules.event_name("11B03") == "暴雨"
    assert rules.event_name("11B01") == "台风"
    assert len(rules.EVENT_CODES) == 16  # the fifteen of docs/domain/08-warnings.md and 11A01 (flood)
    assert rules.EVENT_CODES_SOURCE["source"]


@pytest.mark.parametrize("value", ["44180000000000_20260701120000", "441800EMA00001_20260701120000_2"])
def test_identifier_both_forms(value):
    ident = rules.parse_identifier(value)
    assert ident is not None and ident.division == "441800"
    assert ident.sent == datetime(2026, 7, 1, 12, 0, 0)


@pytest.mark.parametrize("value", ["", "4418_20260701120000", "44180000000000_20261301120000", "x" * 30])
def test_identifier_rejects_other_strings(value):
    assert rules.parse_identifier(value) is None


def test_make_identifier_round_trips():
    sent = datetime(2026, 7, 1, 8, 30, 5)
    value = rules.make_identifier("441802006", "EMA00001", sent, n=3)
    assert value == "441802EMA00001_20260701083005_3"
    assert rules.parse_identifier(value).n == 3


@pytest.mark.parametrize(
    "msg_type,refs,problem",
    [
        ("Alert", [], None),
        ("Alert", ["a,b,c"], "alert_with_references"),
        ("Update", [], "missing_references"),
        ("Cancel", [], "missing_references"),
        ("Update", ["a,b,c"], None),
        ("Cancel", ["a,b,c"], None),
        ("Ack", [], "msg_type"),
    ],
)
def test_update_and_cancel_carry_references(msg_type, refs, problem):
    assert rules.references_problem(msg_type, refs) == problem


def test_expires_is_required_and_after_onset():
    now = datetime(2026, 7, 1, 12)
    assert rules.times_problem(now, None, now) == "expires_required"
    assert rules.times_problem(now, now - timedelta(hours=1), now) == "expires_before_onset"
    assert rules.times_problem(None, now - timedelta(minutes=1), now) == "expires_in_past"
    assert rules.times_problem(now, now + timedelta(hours=6), now) is None


@pytest.mark.parametrize(
    "colour,level",
    [("red", "city"), ("orange", "city"), ("yellow", "district"), ("blue", "district"), ("unknown", "city")],
)
def test_who_approves_by_level(colour, level):
    assert rules.approval_level(colour) == level
    assert rules.APPROVAL_LEVEL_SOURCE["source"]


def test_levels_are_one_to_four_red_highest():
    assert rules.LEVEL_BY_COLOUR == {"red": 1, "orange": 2, "yellow": 3, "blue": 4}


@pytest.mark.parametrize(
    "category,allowed",
    [("natural", True), ("accident", True), ("public_health", True), ("social_security", False)],
)
def test_warnings_only_for_three_categories(category, allowed):
    assert rules.warning_allowed(category) is allowed
