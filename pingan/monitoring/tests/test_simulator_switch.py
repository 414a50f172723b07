"""The demo's sensor simulator follows the demo switch (settings.DEMO), not DEBUG."""

import pytest
from django.apps import apps


def _simulator_on() -> bool:
    procs = {name: pred for name, _argv, pred in apps.get_app_config("monitoring").platform_processes}
    return procs["simulator"]()


@pytest.mark.parametrize(
    ("debug", "demo", "expected"),
    [(False, True, True), (True, False, False), (False, False, False), (True, True, True)],
)
def test_simulator_follows_demo_not_debug(settings, monkeypatch, debug, demo, expected):
    monkeypatch.delenv("SIMULATE_SENSORS", raising=False)
    settings.DEBUG, settings.DEMO = debug, demo
    assert _simulator_on() is expected


def test_simulator_can_be_turned_off_in_the_demo(settings, monkeypatch):
    settings.DEMO = True
    monkeypatch.setenv("SIMULATE_SENSORS", "0")
    assert _simulator_on() is False


def test_simulated_values_stay_inside_each_sensors_own_range():
    # `make run` logged 400s: waterlogging depths (a water_level sensor of 0–3 m) were simulated
    # with the river profile (about 7.5 m) and refused as impossible.
    from pingan.monitoring.simulator import SimSensor, Simulator

    depth = SimSensor("LL1", "wd1", "water_level", lo=0.0, hi=3.0)
    river = SimSensor("RIV", "w1", "water_level")
    sim = Simulator([depth, river], seed=3, excursion_chance=0.05)
    values = [sim.round(1_800_000_000.0 + 20 * i, 20.0) for i in range(400)]
    depths = [item["value"] for out in values for item in out.get("LL1", [])]
    rivers = [item["value"] for out in values for item in out.get("RIV", [])]
    assert depths and all(0.0 <= v <= 3.0 for v in depths)
    assert max(depths) > 0.5  # excursions still cross a waterlogging template's red level
    assert min(rivers) > 3.0  # a sensor without its own range keeps the type's profile
