"""Siting (HiGHS) against spopt's MCLP and brute force; coverage shares computed by hand."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from pingan.rescue import rules, siting


def instance(seed: int = 3, n_dem: int = 60, n_cand: int = 12):
    rng = np.random.default_rng(seed)
    times = rng.uniform(1, 60, (n_dem, n_cand))
    weights = rng.integers(1, 500, n_dem).astype(float)
    return times, weights


@pytest.mark.parametrize("p", [1, 3, 5])
def test_mclp_objective_equals_spopts(p):
    import pulp
    from spopt.locate import MCLP

    times, weights = instance()
    ours = siting.mclp(times, weights, 20, p)
    model = MCLP.from_cost_matrix(times, weights, service_radius=20, p_facilities=p)
    model.solve(pulp.HiGHS(msg=False))
    theirs = pulp.value(model.problem.objective)
    assert ours.objective == pytest.approx(theirs)
    assert len(ours.chosen) == p


def test_mclp_with_existing_stations_matches_brute_force():
    times, weights = instance(seed=5, n_dem=40, n_cand=9)
    existing = np.random.default_rng(9).uniform(1, 60, (40, 2))
    best = 0.0
    for combo in itertools.combinations(range(9), 3):
        cov = (times[:, combo] <= 15).any(axis=1) | (existing <= 15).any(axis=1)
        best = max(best, weights[cov].sum())
    assert siting.mclp(times, weights, 15, 3, existing).objective == pytest.approx(best)


def test_p_median_matches_brute_force():
    times, weights = instance(seed=7, n_dem=30, n_cand=8)
    existing = np.random.default_rng(2).uniform(10, 80, (30, 1))
    best = min(
        float((weights * np.minimum(times[:, list(c)].min(axis=1), existing[:, 0])).sum())
        for c in itertools.combinations(range(8), 2)
    )
    assert siting.p_median(times, weights, 2, existing).objective == pytest.approx(best)


def test_gains_are_the_differences_of_the_optima():
    times, weights = instance()
    steps = siting.gains("mclp", times, weights, 3, threshold=20)
    assert steps[0]["gain"] == pytest.approx(steps[0]["objective"])
    assert steps[2]["gain"] == pytest.approx(steps[2]["objective"] - steps[1]["objective"])


def test_p_larger_than_candidates_is_a_clear_error():
    times, weights = instance(n_cand=4)
    with pytest.raises(siting.SitingError) as exc:
        siting.mclp(times, weights, 20, 5)
    assert exc.value.field == "p" and "4" in str(exc.value)
    with pytest.raises(siting.SitingError):
        siting.p_median(times, weights, 0)


def test_coverage_shares_by_hand():
    # Two districts: A has 100 people at 10 min and 300 at 40 min; B has 600 people at 70 min.
    shares = rules.coverage_shares([10, 40, 70], [100, 300, 600], ["A", "A", "B"], [15, 30, 60])
    assert shares["A"]["share"] == {"15": 0.25, "30": 0.25, "60": 1.0}
    assert shares["B"]["share"] == {"15": 0.0, "30": 0.0, "60": 0.0}
    assert shares["*"]["share"] == {"15": 0.1, "30": 0.1, "60": 0.4}
    gap = rules.urban_mountain_gap(shares, [15, 30, 60], urban={"A"}, mountain={"B"})
    assert gap["gap_points"] == {"15": 25.0, "30": 25.0, "60": 100.0}


def test_unreachable_points_count_in_the_population_but_never_covered():
    shares = rules.coverage_shares([float("inf"), 5], [50, 50], ["A", "A"], [15])
    assert shares["A"]["share"]["15"] == 0.5


def test_capability_match():
    assert rules.capability_match(["fire", "search"], ["fire", "hazchem"]) == (["fire"], ["hazchem"])
