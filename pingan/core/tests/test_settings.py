"""Production settings: refuse to start when incomplete; `check --deploy` clean when complete."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run_manage(args: list[str], env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "pingan.config.settings", **env_extra})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_incomplete_production_settings_name_what_is_missing():
    result = run_manage(["check"], {"DEBUG": "0", "SECRET_KEY": "x" * 60})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr and "DATABASE_URL" in result.stderr
    assert "SECRET_KEY" not in result.stderr.split("set ", 1)[-1].split(".")[0]


def test_bad_boolean_is_named():
    result = run_manage(["check"], {"DEBUG": "maybe"})
    assert result.returncode != 0 and "DEBUG must be a boolean" in result.stderr


@pytest.mark.parametrize("extra", [{}, {"REDIS_URL": "redis://127.0.0.1:6379/0"}])
def test_check_deploy_is_clean_with_production_settings(extra, tmp_path):
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "k" * 20 + "-Zq8#vN2!pL0@xR5$tW7^yB4&uE9*oM3",
        "ALLOWED_HOSTS": "safety.example.gov.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "PINGAN_VAR_DIR": str(tmp_path),
        **extra,
    }
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
