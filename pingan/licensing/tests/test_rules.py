"""docs/domain/15-licensing.md vectors through the rule functions."""

import datetime as dt

import pytest

from pingan.licensing import rules


def test_decision_due_vectors():
    accepted = dt.date(2026, 9, 21)  # a Monday
    # Mid-Autumn and National Day skipped, the adjusted working Saturday 2026-10-10 counted.
    assert rules.decision_due("hazchem_trade", accepted) == dt.date(2026, 10, 26)
    # An expert review of 7 working days does not count (§45).
    assert rules.decision_due("hazchem_trade", accepted, stopped_days=7) == dt.date(2026, 11, 4)
    assert rules.decision_due("hazchem_trade", accepted, extended=True) > dt.date(2026, 10, 26)
    with pytest.raises(rules.RuleError):
        rules.decision_due("hazchem_trade", accepted, stopped_days=-1)
    with pytest.raises(rules.RuleError):
        rules.decision_due("magic", accepted)


def test_renewal_and_validity():
    assert rules.renewal_opens("safety_hazchem", dt.date(2027, 3, 31)) == dt.date(2026, 12, 31)
    assert rules.renewal_opens("hazchem_trade", dt.date(2027, 3, 31)) == dt.date(2027, 3, 1)
    assert rules.renewal_opens("review_design", dt.date(2027, 3, 31)) is None
    assert rules.validity("safety_mine", dt.date(2026, 3, 2)) == (dt.date(2026, 3, 2), dt.date(2029, 3, 1))
    assert rules.validity("review_conditions", dt.date(2026, 3, 2)) is None


def test_materials_and_clock():
    assert rules.missing_materials("fireworks_trade", ["application_form", "business_licence"]) == [
        "principal_certificate",
        "safety_rules",
        "storage_evaluation",
    ]
    assert rules.materials_due(dt.date(2026, 9, 28)) == dt.date(2026, 10, 10)  # 5 working days, §32
    # The clock stood still over National Day (1–7 October): only 30 September and 8 October count.
    assert rules.stopped_working_days(dt.date(2026, 9, 30), dt.date(2026, 10, 9)) == 2
    rules.check_stop_reason("expert_review")
    with pytest.raises(rules.RuleError) as exc:
        rules.check_stop_reason("workload")  # the office's workload never stops the clock
    assert exc.value.field == "reason"
