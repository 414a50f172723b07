"""docs/domain §4, §5 and §12 vectors through the rule functions, and bad inputs naming their field."""

import datetime as dt
from decimal import Decimal

import pytest

from pingan.risks import rules
from pingan.risks.rules import RuleError


@pytest.mark.parametrize(
    "lk,e,c,d,band,level",
    [
        (6, 6, 3, 108, "显著危险", "general"),  # yellow
        (3, 10, 15, 450, "极其危险", "major"),  # red
        (6, 6, 7, 252, "高度危险", "large"),  # orange
        (10, 1, 7, 70, "一般危险", "low"),  # blue (upper-inclusive)
        (10, 2, 1, 20, "稍有危险", "low"),
    ],
)
def test_lec_vectors(lk, e, c, d, band, level):
    g = rules.lec(lk, e, c)
    assert g.score == d and g.band_label == band and g.level == level
    assert g.colour == {"general": "yellow", "major": "red", "large": "orange", "low": "blue"}[level]
    assert g.version == rules.LEC_TABLE["version"]


def test_lec_band_boundaries_upper_inclusive():
    assert rules.lec(10, 6, 7).band == "extreme"  # 420
    assert rules.lec("0.5", 6, 40).score == 120
    assert rules.lec(1, 2, 40).level == "general"  # 80 → yellow


@pytest.mark.parametrize(
    "lk,s,r,level",
    [(4, 4, 16, "large"), (5, 4, 20, "major"), (3, 3, 9, "large"), (2, 4, 8, "general"), (3, 1, 3, "low")],
)
def test_ls_vectors(lk, s, r, level):
    g = rules.ls(lk, s)
    assert (g.score, g.level) == (r, level)


@pytest.mark.parametrize(
    "args,field",
    [
        ((5, 6, 3), "likelihood"),
        ((6, 4, 3), "exposure"),
        ((6, 6, 50), "consequence"),
        (("x", 6, 3), "likelihood"),
        ((None, 6, 3), "likelihood"),
    ],
)
def test_lec_off_the_scale_names_the_factor(args, field):
    with pytest.raises(RuleError) as err:
        rules.lec(*args)
    assert err.value.field == field


@pytest.mark.parametrize(
    "args,field", [((0, 3), "likelihood"), ((3, 6), "severity"), ((2.5, 3), "likelihood")]
)
def test_ls_off_the_scale(args, field):
    with pytest.raises(RuleError) as err:
        rules.ls(*args)
    assert err.value.field == field


def _items(*pairs):
    return [{"chemical": n, "quantity": q} for n, q in pairs]


def test_gb18218_single_chemical_below_q():
    r = rules.identify(_items(("氨", 8)), 120)
    assert r.s == Decimal("0.8") and not r.is_major and r.r is None and r.grade is None


def test_gb18218_mixture_grade_four():
    r = rules.identify(_items(("NH3", 8), ("氯", "1.5")), 120)
    assert r.s == Decimal("1.1") and r.is_major and r.alpha == 2
    assert r.r == Decimal("5.6") and r.grade == 4
    assert [s.weighted for s in r.steps] == [Decimal("1.6"), Decimal("1.2")]


def test_gb18218_lpg_takes_beta_of_w2():
    r = rules.identify(_items(("液化石油气", 60)), 40)
    assert r.s == Decimal("1.2") and r.alpha == Decimal("1.2") and r.steps[0].beta == Decimal("1.5")
    assert r.r == Decimal("2.16") and r.grade == 4


@pytest.mark.parametrize(
    "qty,people,alpha,r,grade",
    [
        ("6.25", 100, "2.0", "10.0", 3),  # boundary: R = 10 is 三级
        ("6.25", 99, "1.5", "7.5", 4),
        (30, 0, "0.5", "12", 3),
        (70, 100, "2.0", "112", 1),
    ],
)
def test_gb18218_chlorine_grades(qty, people, alpha, r, grade):
    res = rules.identify(_items(("Cl2", qty)), people)
    assert res.alpha == Decimal(alpha) and res.r == Decimal(r) and res.grade == grade


@pytest.mark.parametrize(
    "people,alpha",
    [
        (0, "0.5"),
        (1, "1.0"),
        (29, "1.0"),
        (30, "1.2"),
        (49, "1.2"),
        (50, "1.5"),
        (99, "1.5"),
        (100, "2.0"),
        (5000, "2.0"),
    ],
)
def test_alpha_table(people, alpha):
    assert rules.alpha_for(people) == Decimal(alpha)


@pytest.mark.parametrize(
    "r,grade",
    [(Decimal(100), 1), (Decimal("99.9"), 2), (Decimal(50), 2), (Decimal(10), 3), (Decimal("9.99"), 4)],
)
def test_grade_boundaries(r, grade):
    assert rules.grade_for(r) == grade


def test_category_only_chemical_and_steps_dict():
    r = rules.identify([{"chemical": "某易燃液体", "category": "W5.1", "quantity": 12}], 10)
    step = r.as_dict()["steps"][0]
    assert step["critical_quantity"] == "10" and step["beta"] == "1.5" and step["table"] == "table2"
    assert r.as_dict()["s"] == "1.2" and r.as_dict()["r"] == "1.8"


def test_same_chemical_twice_is_summed():
    assert rules.identify(_items(("氯", 3), ("氯气", 3)), 0).s == Decimal("1.2")


@pytest.mark.parametrize(
    "items,people,field",
    [
        ([{"chemical": "未知物质", "quantity": 1}], 0, "chemicals[0].chemical"),
        ([{"chemical": "氯", "quantity": 1}, {"chemical": "氨", "quantity": -1}], 0, "chemicals[1].quantity"),
        ([{"chemical": "x", "category": "W99", "quantity": 1}], 0, "chemicals[0].category"),
        ([{"chemical": "氯", "quantity": "abc"}], 0, "chemicals[0].quantity"),
        ([], 0, "chemicals"),
        ([{"chemical": "氯", "quantity": 1}], -1, "population"),
        ([{"chemical": "氯", "quantity": 1}], 1.5, "population"),
    ],
)
def test_gb18218_bad_inputs_name_the_field(items, people, field):
    with pytest.raises(RuleError) as err:
        rules.identify(items, people)
    assert err.value.field == field


def test_filing_within_15_days():
    assert rules.filing_due(dt.date(2026, 3, 1)) == dt.date(2026, 3, 16)


T0 = dt.datetime(2026, 1, 31, 8, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "cycle,every,expected",
    [
        ("hourly", 1, T0 + dt.timedelta(hours=1)),
        ("shift", 1, T0 + dt.timedelta(hours=8)),
        ("daily", 2, T0 + dt.timedelta(days=2)),
        ("weekly", 1, T0 + dt.timedelta(days=7)),
        ("monthly", 1, dt.datetime(2026, 2, 28, 8, 0, tzinfo=dt.UTC)),
        ("quarterly", 1, dt.datetime(2026, 4, 30, 8, 0, tzinfo=dt.UTC)),
        ("yearly", 1, dt.datetime(2027, 1, 31, 8, 0, tzinfo=dt.UTC)),
    ],
)
def test_next_due(cycle, every, expected):
    assert rules.next_due(T0, cycle, every) == expected


@pytest.mark.parametrize(
    "cycle,every,field",
    [("daily", 0, "every"), ("daily", -1, "every"), ("daily", "1.5", "every"), ("fortnightly", 1, "cycle")],
)
def test_zero_or_unknown_cycle(cycle, every, field):
    with pytest.raises(RuleError) as err:
        rules.next_due(T0, cycle, every)
    assert err.value.field == field


def test_level_control_matrix_is_data():
    assert rules.control_for("major")["post"] == "principal"
    assert set(rules.LEVEL_CONTROL) >= {"major", "large", "general", "low", "source", "version"}
    with pytest.raises(RuleError):
        rules.control_for("purple")


def test_commitment_deadline_default_0900_local():
    due = rules.commitment_due(dt.date(2026, 3, 2))
    assert due.astimezone(dt.UTC) == dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    assert rules.commitment_on_time(due, dt.date(2026, 3, 2))
    assert not rules.commitment_on_time(due + dt.timedelta(seconds=1), dt.date(2026, 3, 2))
    assert rules.commitment_due(dt.date(2026, 3, 2), dt.time(8, 30)).hour == 8


def test_commitment_rate():
    assert rules.commitment_rate(3, 4) == Decimal("75.0")
    assert rules.commitment_rate(0, 0) is None
    with pytest.raises(RuleError):
        rules.commitment_rate(5, 4)
    assert rules.completion_rate(9, 10) == Decimal("90.0")
