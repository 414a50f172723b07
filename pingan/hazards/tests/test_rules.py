"""docs/domain §1 vectors and the pure rules."""

import datetime as dt

import pytest

from pingan.hazards import rules
from pingan.hazards.rules import Facts


def test_general_fixed_on_the_spot_closes_without_regulator_report():
    # (GENERAL, fixed on the spot) → closed with no regulator report
    assert rules.check_transition("close_on_spot", "submitted", "general") is None
    assert rules.check_transition("close_on_spot", "registered", "general") is None
    assert rules.target_state("close_on_spot") == "closed"
    assert rules.check_transition("report", "registered", "general").code == "general_no_report"


@pytest.mark.parametrize(
    "action,state",
    [
        ("close_on_spot", "registered"),
        ("accept", "awaiting_acceptance"),
        ("assign", "registered"),
        ("submit_rectification", "rectifying"),
    ],
)
def test_major_cannot_close_or_proceed_without_plan_and_report(action, state):
    # (MAJOR) → any attempt to close without plan and report is rejected
    refusal = rules.check_transition(action, state, "major", Facts())
    assert refusal is not None
    assert refusal.code in ("major_not_on_spot", "major_needs_report")
    refusal = rules.check_transition(action, state, "major", Facts(reported=True))
    assert refusal is not None and refusal.code in ("major_not_on_spot", "major_needs_plan")


def test_major_with_plan_and_report_may_close():
    facts = Facts(reported=True, plan_approved=True)
    assert rules.check_transition("accept", "awaiting_acceptance", "major", facts) is None
    assert rules.check_transition("close_on_spot", "registered", "major", facts).code == "major_not_on_spot"


def test_listed_major_closes_only_after_resume_review():
    facts = Facts(reported=True, plan_approved=True, listed=True)
    assert (
        rules.check_transition("accept", "awaiting_acceptance", "major", facts).code
        == "listed_needs_resume_review"
    )
    ok = Facts(reported=True, plan_approved=True, listed=True, resume_approved=True)
    assert rules.check_transition("accept", "awaiting_acceptance", "major", ok) is None


def test_transition_table_shape():
    assert rules.check_transition("accept", "rectifying", "general").code == "bad_state"
    assert rules.check_transition("nope", "submitted", "general").code == "unknown_action"
    assert rules.target_state("reject") == "rectifying"
    assert rules.target_state("return") == "returned"
    assert rules.target_state("reopen") == "rectifying"
    assert set(rules.allowed_actions("submitted", "general")) == {
        "register",
        "decline",
        "merge",
        "close_on_spot",
    }
    assert "report" in rules.allowed_actions("registered", "major")
    assert "assign" not in rules.allowed_actions("registered", "major")
    for action, (sources, _target) in rules.TRANSITIONS.items():
        assert "merged" not in sources and "declined" not in sources, action


def test_statistics_due_dates():
    assert rules.quarterly_due(2025, 1) == dt.date(2025, 4, 15)
    assert rules.annual_due(2025) == dt.date(2026, 1, 31)
    assert rules.quarterly_due(2025, 4) == dt.date(2026, 1, 15)
    assert rules.quarterly_due(2025, 1, inclusive=False) == dt.date(2025, 4, 14)
    assert rules.annual_due(2025, inclusive=False) == dt.date(2026, 1, 30)
    with pytest.raises(ValueError):
        rules.quarterly_due(2025, 5)


TZ = rules.workcal.TZ


def test_deadline_in_working_days_skips_national_day_and_counts_adjusted_saturday():
    # Dispatched Wed 2026-09-30: 2026-10-01..07 are holidays, Sat 2026-10-10 is an adjusted working day.
    start = dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ)
    due = rules.compute_due(start, rules.TimeLimit(3, "working_days"))
    # Working days after 09-30: 10-08 (Thu), 10-09 (Fri), 10-10 (Sat, 调休).
    assert due == dt.datetime(2026, 10, 10, 23, 59, 59, tzinfo=TZ)


def test_deadline_in_working_hours_and_overrides():
    start = dt.datetime(2026, 9, 30, 16, 30, tzinfo=TZ)
    due = rules.compute_due(start, rules.TimeLimit(2, "working_hours"))
    assert due == dt.datetime(2026, 10, 8, 9, 30, tzinfo=TZ)
    # An administrator's override makes 2026-10-08 a holiday too.
    due = rules.compute_due(start, rules.TimeLimit(2, "working_hours"), {dt.date(2026, 10, 8): False})
    assert due == dt.datetime(2026, 10, 9, 9, 30, tzinfo=TZ)


def test_rectify_limit_defaults_and_category():
    assert rules.rectify_limit("general").amount == rules.DEFAULT_LIMITS["rectify_general"].amount
    assert rules.rectify_limit("major").amount == rules.DEFAULT_LIMITS["rectify_major"].amount
    own = rules.TimeLimit(8, "working_hours")
    assert rules.rectify_limit("general", own) is own
    assert all(limit.source.startswith("[U]") for limit in rules.DEFAULT_LIMITS.values())


def test_duplicate_distance():
    a = (23.70000, 113.05000)
    near = (23.70050, 113.05000)  # ≈ 56 m north
    far = (23.70200, 113.05000)  # ≈ 222 m
    assert 50 < rules.distance_m(*a, *near) < 60
    assert rules.is_possible_duplicate(a, near, True)
    assert not rules.is_possible_duplicate(a, far, True)
    assert not rules.is_possible_duplicate(a, near, False)
    assert rules.is_possible_duplicate(a, far, True, max_distance_m=250)
    min_lat, min_lon, max_lat, max_lon = rules.bbox_around(*a, 100)
    assert min_lat < near[0] < max_lat and min_lon < a[1] < max_lon


def test_tracking_codes_are_unguessable_and_unambiguous():
    codes = {rules.new_tracking_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in list(codes)[:200]:
        assert len(code) >= 10
        assert not set(code) & set("0O1IL2Z5S8B")
    assert rules.normalise_tracking_code(" abc-def ") == "ABCDEF"


def test_image_sniffing_is_by_content():
    assert rules.sniff_image_format(b"\xff\xd8\xff\xe0" + b"0" * 12) == "JPEG"
    assert rules.sniff_image_format(b"\x89PNG\r\n\x1a\n" + b"0" * 8) == "PNG"
    assert rules.sniff_image_format(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "WEBP"
    assert rules.sniff_image_format(b"GIF89a" + b"0" * 10) is None
    assert rules.sniff_image_format(b"<svg xmlns=") is None


def test_open311_status_and_escalation_plan():
    assert rules.open311_status("closed") == "closed"
    assert rules.open311_status("declined") == "closed"
    assert rules.open311_status("rectifying") == "open"
    first = rules.escalation_plan(1)
    assert first.notify_department_head and first.notify_level_above and first.next_after
    second = rules.escalation_plan(2)
    assert second.notify_dispatch and second.next_after is None


# Vectors of the public phone mask: every way a citizen writes a mainland mobile number is masked,
# other numbers (landlines, dates, ids, case codes) are left as written.
PHONE_MASK_VECTORS = [
    ("电话13812345678。", "电话138****5678。"),
    ("138-1234-5678", "138-****-5678"),
    ("138 1234 5678", "138 **** 5678"),
    ("138.1234.5678", "138.****.5678"),
    ("+86 138 1234 5678", "+86 138 **** 5678"),
    ("138-12345678", "138-****5678"),
    ("１３８１２３４５６７８", "１３８****５６７８"),
    ("１３８－１２３４－５６７８", "１３８－****－５６７８"),
    ("１３８　１２３４　５６７８", "１３８　****　５６７８"),
    ("找张三 13912345678 或 19912345678", "找张三 139****5678 或 199****5678"),
    ("0763-3123456", "0763-3123456"),  # a landline
    ("12812345678", "12812345678"),  # not a mobile prefix
    ("138123456789", "138123456789"),  # twelve digits: not a phone number
    ("441802199001011234", "441802199001011234"),  # an identity number is not a phone
    ("YH-2026-000123", "YH-2026-000123"),
    ("2026-11-30 13:45", "2026-11-30 13:45"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "masked"), PHONE_MASK_VECTORS)
def test_public_phone_mask_vectors(text, masked):
    assert rules.mask_phones(text) == masked


def test_public_phone_mask_of_nothing():
    assert rules.mask_phones(None) == ""
