"""The assessment's arithmetic (docs/domain/assessment.md) as vectors."""

from decimal import Decimal

from pingan.assessment import rules


def row(kind, key, weight, source="manual"):
    return {"unit_kind": kind, "key": key, "weight": weight, "source": source}


def test_weights_must_add_up_to_100_per_kind():
    ok = [row("district", "a", 60), row("district", "b", "40"), row("department", "c", Decimal("100"))]
    assert rules.weights_problems(ok) == []
    assert rules.weights_problems([row("district", "a", 60), row("district", "b", 39.99)]) == [
        ("items", "sum", "district=99.99")
    ]
    # each kind on its own: 100 + 100 is right, 150 + 50 across kinds is not
    assert (
        rules.weights_problems([row("district", "a", 150), row("department", "b", 50)])[0][1] == "max_value"
    )


def test_weights_bad_values_are_named():
    assert rules.weights_problems([row("district", "a", "abc")]) == [("items[0].weight", "invalid", "abc")]
    assert rules.weights_problems([row("district", "a", "NaN")])[0][1] == "invalid"
    assert rules.weights_problems([row("district", "a", -5), row("district", "b", 105)])[0] == (
        "items[0].weight",
        "min_value",
        "-5",
    )
    dup = rules.weights_problems([row("district", "a", 50), row("district", "a", 50)])
    assert ("items[1].key", "duplicate", "a") in dup
    kpi = rules.weights_problems([row("department", "hazards.found", 100, "kpi")])
    assert kpi == [("items[0].source", "kpi_department", "hazards.found")]


def test_relative_scores_best_100_worst_60():
    assert rules.relative_scores({"a": 90.0, "b": 50.0, "c": 70.0}, "up") == {
        "a": 100.0,
        "b": 60.0,
        "c": 80.0,
    }
    # lower is better (overdue hazards)
    assert rules.relative_scores({"a": 0.0, "b": 4.0, "c": 1.0}, "down") == {"a": 100.0, "b": 60.0, "c": 90.0}
    assert rules.relative_scores({"a": 3.0, "b": 3.0}, "up") == {"a": 100.0, "b": 100.0}
    assert rules.relative_scores({"a": None, "b": 2.0}, "up") == {"a": None, "b": 100.0}
    assert rules.relative_scores({"a": None}, "up") == {"a": None}


def test_weighted_total_over_the_items_scored():
    assert rules.weighted_total([(50, 100.0), (30, 60.0), (20, 80.0)]) == 84.0
    # an item without a score neither rewards nor punishes: mean over the scored weights
    assert rules.weighted_total([(50, 100.0), (30, None), (20, 80.0)]) == round((5000 + 1600) / 70, 2)
    assert rules.weighted_total([(50, None)]) is None
    assert rules.weighted_total([(0, 50.0), (10, 70.0)]) == 70.0


def test_ranks_share_ties_and_skip():
    assert rules.ranks({"a": 90.0, "b": 95.0, "c": 90.0, "d": 80.0, "e": None}) == {
        "b": 1,
        "a": 2,
        "c": 2,
        "d": 4,
        "e": None,
    }


def test_signed_share():
    assert rules.signed_share(3, 4) == 75.0
    assert rules.signed_share(0, 0) is None


def test_default_scheme_is_valid():
    assert rules.weights_problems(rules.DEFAULT_ITEMS) == []
