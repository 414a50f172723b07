"""Pure rule tests: a reading made for each edge (docs/domain §8 vectors for rainfall)."""

from datetime import datetime, time

import pytest

from pingan.monitoring import rules
from pingan.monitoring.rules import CLEAR, DOWN, RAISE, UP, Level, RuleSpec, Schedule

GAS = RuleSpec(1, "threshold", (Level(2, 25, 20, "一级"), Level(4, 50, 45, "二级")))


def feed(spec, values, start=1000.0, step=60.0, state=None):
    state = {} if state is None else state
    out = []
    for i, v in enumerate(values):
        out += rules.evaluate((spec,), state, start + i * step, v)
    return [(t[1], t[2]) for t in out], state


def test_threshold_counting_rule_includes_the_limit():
    assert feed(GAS, [24.99])[0] == []
    assert feed(GAS, [25.0])[0] == [(RAISE, 2)]


def test_hysteresis_no_flapping_at_the_line():
    # hovering around 25 (on) but never below 20 (off): one alarm, no clears
    transitions, _ = feed(GAS, [26, 24, 25.5, 21, 24.9, 20.0])
    assert transitions == [(RAISE, 2)]
    transitions, _ = feed(GAS, [26, 19.99])
    assert transitions == [(RAISE, 2), (CLEAR, 0)]


def test_level_rises_in_place_and_steps_down_with_hysteresis():
    transitions, _ = feed(GAS, [30, 55, 46, 44.9, 21, 19])
    assert transitions == [(RAISE, 2), (UP, 4), (DOWN, 2), (CLEAR, 0)]


def test_below_direction():
    low = RuleSpec(2, "threshold", (Level(2, 1.0, 1.2),), direction="below")
    assert feed(low, [1.5, 1.0, 1.1, 1.21])[0] == [(RAISE, 2), (CLEAR, 0)]


def test_duration_in_seconds():
    spec = RuleSpec(3, "threshold", (Level(3, 2.0, 1.9),), for_seconds=120)
    # 60 s apart: raised at the third sample (120 s after the first one over the line)
    assert feed(spec, [2.1, 2.2, 2.3])[0] == [(RAISE, 3)]
    assert feed(spec, [2.1, 2.2])[0] == []
    # interrupted: the clock restarts
    assert feed(spec, [2.1, 2.2, 1.0, 2.1, 2.2])[0] == []


def test_duration_in_samples():
    spec = RuleSpec(4, "threshold", (Level(2, 10, 9.8),), for_samples=3)
    assert feed(spec, [10, 10, 9])[0] == []
    assert feed(spec, [10, 10, 10])[0] == [(RAISE, 2)]


def test_duration_survives_a_restart_through_the_stored_state():
    import json

    spec = RuleSpec(3, "threshold", (Level(3, 2.0, 1.9),), for_seconds=120)
    _, state = feed(spec, [2.1, 2.2])
    restored = json.loads(json.dumps(state))  # what SensorState.data keeps
    out = rules.evaluate((spec,), restored, 1000 + 120, 2.4)
    assert [(t[1], t[2]) for t in out] == [(RAISE, 3)]


def test_rate_of_change():
    spec = RuleSpec(5, "rate", (Level(2, 0.05, 0.03),))
    # metres per minute: +0.04 no, +0.06 yes, +0.04 still (≥ off 0.03), +0.01 clears
    assert feed(spec, [1.0, 1.04, 1.10, 1.14, 1.15])[0] == [(RAISE, 2), (CLEAR, 0)]


def test_rate_both_directions():
    spec = RuleSpec(6, "rate", (Level(2, 1.0, 0.5),), direction="both")
    assert feed(spec, [10, 8.5, 8.4])[0] == [(RAISE, 2), (CLEAR, 0)]


@pytest.mark.parametrize(
    "mm,hours,level",
    [(55, 3, 3), (55, 5, 2), (100, 3, 4), (50, 12, 1), (49.9, 12, 0), (50, 6, 2), (50, 3, 3), (99.9, 3, 3)],
)
def test_rainstorm_signal_vectors(mm, hours, level):
    """docs/domain §8: 55 mm in 3 h → orange; 55 mm in 5 h → yellow; 100 mm in 3 h → red; blue 12 h ≥ 50."""
    n = hours * 6  # 10-minute increments spread evenly, the last one at `now`
    points = [(i * 600.0, mm / n) for i in range(1, n + 1)]
    got, _ = rules.rainstorm_signal_of(points, now=n * 600.0)
    assert got == level


def test_accumulation_rule_and_late_reading():
    spec = RuleSpec(7, "accumulation")
    state = {}
    out = []
    for i in range(1, 19):  # 18 × 10 min = 3 h, 3 mm each = 54 mm → orange
        out += rules.evaluate((spec,), state, i * 600.0, 3.0)
    # all in the last 3 h: 50 mm reached at the 17th increment is straight orange (3 h ≥ 50)
    assert [(t[1], t[2]) for t in out] == [(RAISE, 3)]
    # a late increment within the window is counted
    late = rules.evaluate((spec,), state, 18 * 600.0 - 300, 50.0)
    assert [(t[1], t[2]) for t in late] == [(UP, 4)]
    # the same late reading again (a replay) changes nothing
    assert rules.evaluate((spec,), state, 18 * 600.0 - 300, 50.0) == []


def test_replay_and_out_of_order_do_not_reopen_a_cleared_alarm():
    _, state = feed(GAS, [30, 10])  # raised then cleared, last t = 1060
    assert rules.evaluate((GAS,), state, 1000.0, 30) == []  # replay of the first reading
    assert rules.evaluate((GAS,), state, 1030.0, 60) == []  # a late reading from before the clear
    assert rules.evaluate((GAS,), state, 1060.0, 60) == []  # same timestamp as the last


def test_nodata_raises_after_silence_and_clears_on_the_next_reading():
    spec = RuleSpec(8, "nodata", (Level(2, 0),), nodata_seconds=600)
    state = {}
    rules.evaluate((spec,), state, 1000.0, 1.0)
    assert rules.sweep((spec,), state, 1599.0) == []
    out = rules.sweep((spec,), state, 1600.0)
    assert [(t[1], t[2]) for t in out] == [(RAISE, 2)]
    assert rules.sweep((spec,), state, 1700.0) == []  # raised once
    assert [(t[1], t[2]) for t in rules.evaluate((spec,), state, 1650.0, 1.0)] == [(CLEAR, 0)]


def test_nodata_for_a_sensor_that_never_reported():
    spec = RuleSpec(8, "nodata", (Level(2, 0),), nodata_seconds=600)
    state = {}
    assert rules.sweep((spec,), state, 5000.0) == []
    assert [(t[1], t[2]) for t in rules.sweep((spec,), state, 5600.0)] == [(RAISE, 2)]


def test_event_raises_once_and_clears_after_hold():
    spec = RuleSpec(9, "event", (Level(3, 1.0),), hold_seconds=300)
    state = {}
    assert [(t[1], t[2]) for t in rules.evaluate((spec,), state, 1000.0, 1)] == [(RAISE, 3)]
    assert rules.evaluate((spec,), state, 1100.0, 1) == []
    assert rules.sweep((spec,), state, 1399.0) == []
    assert [(t[1], t[2]) for t in rules.sweep((spec,), state, 1400.0)] == [(CLEAR, 0)]


def test_schedule_limits_raising():
    office = Schedule(days=(0, 1, 2, 3, 4), start=time(8), end=time(18))
    spec = RuleSpec(10, "threshold", (Level(2, 5),), schedule=office)
    # 2026-11-28 is a Saturday: 10:00 Beijing = 02:00 UTC
    from datetime import UTC

    sat = datetime(2026, 11, 28, 2, 0, tzinfo=UTC).timestamp()
    mon = datetime(2026, 11, 30, 2, 0, tzinfo=UTC).timestamp()
    assert rules.evaluate((spec,), {}, sat, 9) == []
    assert [(t[1], t[2]) for t in rules.evaluate((spec,), {}, mon, 9)] == [(RAISE, 2)]


def test_schedule_over_midnight():
    night = Schedule(days=(4,), start=time(22), end=time(6))  # Friday night
    assert night.contains(datetime(2026, 11, 27, 23, 0))  # Fri 23:00
    assert night.contains(datetime(2026, 11, 28, 5, 0))  # Sat 05:00
    assert not night.contains(datetime(2026, 11, 28, 23, 0))


def test_spec_from_params_round_trip():
    spec = rules.spec_from_params(
        1,
        "threshold",
        {
            "levels": [{"severity": 4, "on": 50, "off": 45}, {"severity": 2, "on": 25, "off": 20}],
            "for_seconds": 30,
        },
    )
    assert [lv.severity for lv in spec.levels] == [2, 4]
    assert spec.for_seconds == 30


def test_a_rise_rule_never_reports_a_negative_rise():
    """水位陡涨: the alarm clears when the water falls, and the value it keeps is 0 m/min, not the fall."""
    rise = RuleSpec(5, "rate", (Level(2, 0.05, 0.03, "陡涨"),))
    state: dict = {}
    out = []
    for i, v in enumerate([10.0, 10.1, 10.3, 10.0, 9.5]):
        out += rules.evaluate((rise,), state, 1000.0 + i * 60.0, v)
    kinds = [(t[1], t[2]) for t in out]
    assert kinds == [(RAISE, 2), (CLEAR, 0)]
    assert all(t[4] >= 0 for t in out)
    assert out[-1][4] == 0.0


def test_a_steady_or_falling_level_is_never_a_rise_whatever_the_thresholds():
    """水位陡涨 listed "rises" of −0.3 m/min: a rise rule whose `on` was 0 or below (typed in as 0, or
    a hysteresis `off` below zero) raised on a flat or falling river, with the falling rate as its value.
    A rise rule now looks at rises only: a fall or a flat reading is level 0, its value 0."""
    for on, off in ((0.0, None), (0.0, -0.1), (-0.05, -0.1)):
        rise = RuleSpec(5, "rate", (Level(2, on, off, "陡涨"),))
        state: dict = {}
        out = []
        for i, v in enumerate([10.0, 10.0, 9.8, 9.5, 9.5, 9.2]):
            out += rules.evaluate((rise,), state, 1000.0 + i * 60.0, v)
        assert out == [], (on, off, out)
    # …and a real rise still raises, with its (positive) rate, then clears at 0 when the river falls.
    rise = RuleSpec(5, "rate", (Level(2, 0.0, -0.1, "陡涨"),))
    state = {}
    out = []
    for i, v in enumerate([10.0, 10.2, 9.9]):
        out += rules.evaluate((rise,), state, 1000.0 + i * 60.0, v)
    assert [(t[1], t[2]) for t in out] == [(RAISE, 2), (CLEAR, 0)]
    assert out[0][4] == pytest.approx(0.2) and out[1][4] == 0.0


def test_a_fall_rule_never_reports_a_rise():
    fall = RuleSpec(6, "rate", (Level(2, -0.05, -0.03, "陡降"),), direction="below")
    transitions, _ = feed(fall, [10.0, 10.3, 10.6, 10.5, 10.0])
    assert transitions == [(RAISE, 2)]
    state: dict = {}
    out = []
    for i, v in enumerate([10.0, 9.0, 9.5]):
        out += rules.evaluate((fall,), state, 1000.0 + i * 60.0, v)
    assert [t[4] <= 0 for t in out] == [True, True]


def test_an_interrupted_rise_starts_its_sample_count_again():
    """for_samples counts consecutive rising samples: a fall in between starts again."""
    rise = RuleSpec(5, "rate", (Level(2, 0.05, 0.03, "陡涨"),), for_samples=2)
    transitions, _ = feed(rise, [10.0, 10.1, 9.9, 10.0, 10.1])
    assert transitions == [(RAISE, 2)]
    transitions, _ = feed(rise, [10.0, 10.1, 9.9, 10.0])
    assert transitions == []
