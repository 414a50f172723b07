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
