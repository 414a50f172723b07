"""Production serving: DEBUG is off unless set, `make run` serves through gunicorn (not the development
server), and nobody sees a traceback or the URL list."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command
from django.test import Client

ROOT = Path(__file__).resolve().parents[3]


def _settings_value(expr: str, env_extra: dict[str, str]) -> str:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "PINGAN_DEMO"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "pingan.config.settings", **env_extra})
    code = f"import django; django.setup(); from django.conf import settings; print({expr})"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_debug_is_off_unless_set(tmp_path):
    assert _settings_value("settings.DEBUG, settings.DEMO", {"PINGAN_VAR_DIR": str(tmp_path)}) == "False True"
    assert _settings_value("settings.DEBUG", {"PINGAN_VAR_DIR": str(tmp_path), "DEBUG": "1"}) == "True"


def test_run_serves_through_gunicorn_not_the_development_server(monkeypatch):
    started: list[list[str]] = []

    class FakeProcess:
        def __init__(self, argv, env=None):
            started.append(argv)
            self.returncode = 0

        def poll(self):
            return 0  # "stopped" at once: the command stops the rest and returns

        def send_signal(self, sig):
            pass

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr("subprocess.Popen", FakeProcess)
    import signal

    monkeypatch.setattr(signal, "signal", lambda *a: None)
    call_command("runplatform", "--port", "8999")
    web = started[0]
    assert "gunicorn" in web and "pingan.config.wsgi:application" in web and "runserver" not in web
    assert "127.0.0.1:8999" in web


def test_no_traceback_or_url_list_for_strangers(db):
    r = Client().get("/no/such/page/")
    assert r.status_code == 404
    body = r.content.decode()
    assert "URLconf" not in body and "urlpatterns" not in body and "Traceback" not in body
