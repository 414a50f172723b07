"""Pure rules: docs/domain/13-training.md vectors, quiz scoring, certificate codes, redaction, sides."""

from datetime import date

import pytest

from pingan.culture import rules


# docs/domain/13-training.md, the table and the cases
@pytest.mark.parametrize(
    ("who", "high_risk", "kind", "hours"),
    [
        ("principal", False, "initial", 32),
        ("principal", False, "refresher", 12),
        ("safety_manager", True, "initial", 48),
        ("safety_manager", True, "refresher", 16),
        ("new_worker", False, "initial", 24),
        ("new_worker", True, "initial", 72),
        ("new_worker", True, "refresher", 20),
        ("new_worker", False, "refresher", None),
        ("cadre", False, "initial", None),
    ],
)
def test_statutory_hours_table(who, high_risk, kind, hours):
    assert rules.required_hours(who, high_risk, kind) == hours


def test_vector_new_fireworks_safety_manager_40_hours_is_not_compliant():
    assert rules.is_high_risk("fireworks")
    assert rules.compliant("safety_manager", True, "initial", 40) is False
    assert rules.required_hours("safety_manager", True, "initial") == 48


def test_vector_trading_company_principal_12_hours_refresher_is_compliant():
    assert not rules.is_high_risk("trade")
    assert rules.compliant("principal", False, "refresher", 12) is True  # "以上" includes 12


def test_no_minimum_means_no_judgement_and_no_refresher():
    assert rules.compliant("cadre", False, "initial", 2) is None
    assert rules.refresher_due(date(2026, 3, 1), "new_worker", False) is None
    assert rules.refresher_due(date(2026, 3, 1), "principal", False) == date(2027, 3, 1)
    assert rules.TRAINING_HOURS["source"]


def test_quiz_score_and_pass_mark():
    key = {1: 0, 2: 1, 3: 2, 4: 0, 5: 1}
    assert rules.score({1: 0, 2: 1, 3: 2, 4: 0, 5: 1}, key) == 100
    assert rules.score({1: 0, 2: 1, 3: 2, 4: 0}, key) == 80  # unanswered is wrong
    assert rules.passed(80, 80) and not rules.passed(79, 80)
    assert rules.score({}, {}) == 0


def test_certificate_codes_are_normalised_as_typed():
    assert rules.format_code("7K3MQ9TX2HPA") == "7K3M-Q9TX-2HPA"
    assert rules.normalise_code(" 7k3m q9tx-2hpa ") == "7K3M-Q9TX-2HPA"
    assert rules.normalise_code("7K3M-Q9TX-2HP0") == ""  # 0 is not in the alphabet


def test_redaction_removes_names_phones_and_id_numbers():
    text = "报警人张三(13812345678)称,清远某化工厂工人李四(身份证441802199001011234)被困。座机0763-3381234。"
    out = rules.redact(text, ["张三", "清远某化工厂", "13812345678"])
    assert "张三" not in out and "13812345678" not in out and "441802199001011234" not in out
    assert "0763-3381234" not in out and "清远某化工厂" not in out
    assert "被困" in out


def test_mountain_and_urban_side_by_side():
    rows = [("441825101", 2025, 30), ("441802006", 2025, 50), ("441882200", 2026, 12), ("441881100", 2026, 8)]
    side = rules.participation_by_side(rows)
    assert side.years == [2025, 2026]
    assert side.mountain == [30, 12] and side.urban == [50, 8]
    assert rules.is_mountain("441826") and not rules.is_mountain("441802006")


def test_site_score():
    points = {"a": 20, "b": 20, "c": 20, "d": 20, "e": 20}
    assert rules.site_score(points, ["a", "b", "c", "d"]) == 80
    assert rules.site_score(points, ["a", "a"]) == 20
