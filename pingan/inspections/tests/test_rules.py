"""The vectors of docs/domain/06-random-inspection.md and docs/domain/11-special-work.md through the
rule functions; bad inputs name their field."""

import datetime as dt

import pytest

from pingan.inspections import rules
from pingan.inspections.rules import DrawInspector, DrawTarget, GasSample, RuleError

ON = dt.date(2026, 3, 2)
GOOD = dt.date(2027, 1, 1)
QC = "441802006"
YD = "441881100"


def ins(i, division="441802", expiry=GOOD, conflicts=()):
    return DrawInspector(id=i, division=division, certificate_expiry=expiry, conflicts=frozenset(conflicts))


# --- The draw -------------------------------------------------------------------------------------
def test_two_eligible_one_conflicted_fails_with_reason():
    targets = [DrawTarget(1, QC, key=True)]
    with pytest.raises(RuleError) as err:
        rules.draw("s1", targets, [ins(10), ins(11, conflicts={1})], ratio="0", on=ON)
    assert err.value.field == "inspectors"
    assert err.value.code == "too_few_inspectors"
    assert "1" in err.value.message


def test_two_eligible_draw_both():
    result = rules.draw("s1", [DrawTarget(1, QC, key=True)], [ins(10), ins(11)], ratio="0", on=ON)
    assert result.assignments == ((1, (10, 11)),)
    assert result.algorithm == rules.ALGORITHM_VERSION


def test_expired_certificate_not_drawn():
    with pytest.raises(RuleError) as err:
        rules.draw(
            "s",
            [DrawTarget(1, QC, key=True)],
            [ins(10), ins(11, expiry=ON - dt.timedelta(days=1))],
            ratio="0",
            on=ON,
        )
    assert err.value.field == "inspectors"


def test_key_targets_in_full_ordinary_by_ratio_rounded_up():
    targets = [DrawTarget(1, QC, key=True), DrawTarget(2, QC, key=True)] + [
        DrawTarget(i, QC) for i in range(3, 13)
    ]
    result = rules.draw("seed", targets, [ins(i) for i in range(100, 106)], ratio="0.25", on=ON)
    drawn = [t for t, _ in result.assignments]
    assert {1, 2} <= set(drawn)
    assert len(drawn) == 2 + 3  # ceil(10 × 0.25)
    for _t, people in result.assignments:
        assert len(set(people)) == 2


def test_reproducible_and_seed_sensitive():
    targets = [DrawTarget(i, QC) for i in range(1, 40)]
    staff = [ins(i) for i in range(100, 110)]
    a = rules.draw("abc", targets, staff, ratio="0.3", on=ON)
    b = rules.draw("abc", list(reversed(targets)), list(reversed(staff)), ratio="0.3", on=ON)
    assert a == b
    c = rules.draw("abd", targets, staff, ratio="0.3", on=ON)
    assert c.assignments != a.assignments


def test_redraw_from_published_inputs_matches():
    targets = [DrawTarget(i, QC, key=i == 3) for i in range(1, 9)]
    staff = [ins(i, conflicts={2} if i == 100 else ()) for i in range(100, 105)]
    inputs = rules.draw_inputs(targets, staff, ratio="0.5", on=ON, cross_district=False, basis="")
    original = rules.draw("z", targets, staff, ratio="0.5", on=ON)
    assert rules.redraw("z", inputs, rules.ALGORITHM_VERSION) == original
    with pytest.raises(RuleError) as err:
        rules.redraw("z", inputs, "draw-v0")
    assert err.value.field == "algorithm"


def test_territorial_draw_uses_home_inspectors_only():
    with pytest.raises(RuleError):
        rules.draw(
            "s", [DrawTarget(1, QC, key=True)], [ins(10, "441881"), ins(11, "441881")], ratio="0", on=ON
        )


def test_cross_district_needs_basis_and_excludes_home_district():
    staff = [ins(10, "441802"), ins(11, "441881"), ins(12, "441881")]
    with pytest.raises(RuleError) as err:
        rules.draw("s", [DrawTarget(1, QC, key=True)], staff, ratio="0", on=ON, cross_district=True)
    assert err.value.field == "cross_basis"
    result = rules.draw(
        "s",
        [DrawTarget(1, QC, key=True)],
        staff,
        ratio="0",
        on=ON,
        cross_district=True,
        basis="市应急管理局交叉执法委托书 2026-01",
    )
    assert result.assignments == ((1, (11, 12)),)


@pytest.mark.parametrize("ratio", ["-0.1", "1.5", "abc", "NaN"])
def test_bad_ratio_names_field(ratio):
    with pytest.raises(RuleError) as err:
        rules.draw("s", [], [], ratio=ratio, on=ON)
    assert err.value.field == "ratio"


def test_bad_seed_and_team_size():
    with pytest.raises(RuleError) as err:
        rules.draw("", [], [], ratio="0", on=ON)
    assert err.value.field == "seed"
    with pytest.raises(RuleError) as err:
        rules.draw("s", [], [], ratio="0", on=ON, per_inspection=1)
    assert err.value.field == "per_inspection"


# --- Publication ------------------------------------------------------------------------------------
def test_publication_deadline_friday_skips_holidays_and_honours_adjusted_days():
    # Friday 2025-09-26: Sunday 09-28 is a working day (调休), 10-01…10-08 holidays, Saturday 10-11 works.
    assert rules.publication_deadline(dt.date(2025, 9, 26)) == dt.date(2025, 10, 30)
    # Friday 2025-03-07: 清明 (2025-04-04) skipped.
    assert rules.publication_deadline(dt.date(2025, 3, 7)) == dt.date(2025, 4, 7)


def test_publication_deadline_overrides_and_bad_input():
    day = dt.date(2025, 3, 7)
    assert rules.publication_deadline(day, {dt.date(2025, 3, 10): False}) == dt.date(2025, 4, 8)
    with pytest.raises(RuleError) as err:
        rules.publication_deadline("2025-03-07")  # type: ignore[arg-type]
    assert err.value.field == "ended_on"


# --- Special work -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "lel,conc,ok",
    [("5", "0.4", True), ("5", "0.6", False), ("4", "0.5", True), ("2", "0.3", False), ("2", "0.2", True)],
)
def test_flammable_gas_vectors(lel, conc, ok):
    assert rules.flammable_gas_passes(lel, conc) is ok


@pytest.mark.parametrize(
    "o2,enriched,ok",
    [
        ("19.5", False, True),
        ("21", False, True),
        ("21.5", False, False),
        ("19.4", False, False),
        ("23.5", True, True),
        ("23.6", True, False),
    ],
)
def test_oxygen(o2, enriched, ok):
    assert rules.oxygen_passes(o2, enriched=enriched) is ok


def t(h, m=0):
    return dt.datetime(2026, 3, 2, h, m, tzinfo=dt.UTC)


def test_stale_analysis_refused():
    assert rules.analysis_fresh(t(9), t(9, 30))
    assert not rules.analysis_fresh(t(9), t(9, 31))
    assert not rules.analysis_fresh(t(9, 10), t(9))  # sampled after the start is no pre-work analysis
    with pytest.raises(RuleError) as err:
        rules.check_permit(
            "hot_work", "second", t(9, 31), t(12), [GasSample(t(9), lel="5", concentration="0.1")]
        )
    assert err.value.field == "gas_analyses" and err.value.code == "stale"


def test_first_grade_over_eight_hours_refused():
    with pytest.raises(RuleError) as err:
        rules.check_permit(
            "hot_work", "first", t(8), t(17), [GasSample(t(7, 50), lel="5", concentration="0.1")]
        )
    assert err.value.field == "valid_until" and err.value.code == "too_long"
    rules.check_permit("hot_work", "first", t(8), t(16), [GasSample(t(7, 50), lel="5", concentration="0.1")])


def test_second_grade_72_hours():
    start = t(8)
    rules.check_validity("hot_work", "second", start, start + dt.timedelta(hours=72))
    with pytest.raises(RuleError):
        rules.check_validity("hot_work", "second", start, start + dt.timedelta(hours=73))


def test_failing_gas_and_confined_space_oxygen():
    with pytest.raises(RuleError) as err:
        rules.check_permit(
            "hot_work", "second", t(9), t(10), [GasSample(t(8, 45), lel="5", concentration="0.6")]
        )
    assert err.value.code == "gas_fail"
    with pytest.raises(RuleError) as err:
        rules.check_permit("confined_space", "", t(9), t(10), [GasSample(t(8, 45), oxygen="18")])
    assert err.value.code == "oxygen_fail"
    rules.check_permit("confined_space", "", t(9), t(10), [GasSample(t(8, 45), oxygen="20.5")])
    with pytest.raises(RuleError) as err:
        rules.check_permit("confined_space", "", t(9), t(10), [])
    assert err.value.field == "gas_analyses" and err.value.code == "required"
    rules.check_permit("height", "first", t(9), t(10), [])  # no gas analysis for work at height


@pytest.mark.parametrize(
    "work_type,grade,fld",
    [
        ("flying", "", "work_type"),
        ("hot_work", "", "grade"),
        ("hot_work", "fourth", "grade"),
        ("excavation", "first", "grade"),
    ],
)
def test_type_and_grade_names_field(work_type, grade, fld):
    with pytest.raises(RuleError) as err:
        rules.check_type_and_grade(work_type, grade)
    assert err.value.field == fld


def test_bad_numbers_and_times_name_field():
    with pytest.raises(RuleError) as err:
        rules.flammable_gas_passes("0", "0.1")
    assert err.value.field == "lel"
    with pytest.raises(RuleError) as err:
        rules.flammable_gas_passes("5", "x")
    assert err.value.field == "concentration"
    with pytest.raises(RuleError) as err:
        rules.check_validity("hot_work", "second", t(10), t(9))
    assert err.value.field == "valid_until"


def test_approver_by_grade():
    assert rules.required_approver("hot_work", "special") == "principal"
    assert rules.required_approver("hot_work", "first") == "safety"
    assert rules.required_approver("confined_space", "") == "unit"
    assert rules.approver_suffices("principal", "hot_work", "first")
    assert not rules.approver_suffices("unit", "hot_work", "special")
    assert rules.approver_suffices(
        "unit", "hot_work", "special", {"special": "unit"}
    )  # the enterprise's own rule
    with pytest.raises(RuleError) as err:
        rules.approver_suffices("boss", "hot_work", "first")
    assert err.value.field == "approver_level"
