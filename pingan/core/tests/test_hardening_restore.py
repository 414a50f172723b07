"""Backup and restore drill: back up a populated database and its media, empty everything, restore
from the backup, and find every row, every file and the same unbroken audit chain; a tampered
backup is refused by the restore's verification."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from pingan.core import audit
from pingan.core.backup import row_counts
from pingan.core.models import AuditEvent
from pingan.hazards.models import HazardCase, Photo
from pingan.hazards.tests.factories import jpeg_with_gps, submit
from pingan.org.models import User

# Outside a test transaction, as a real restore runs (PostgreSQL cannot TRUNCATE inside one with
# deferred foreign-key checks pending).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def populated(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    case = submit(world, source="public", photos=[jpeg_with_gps()])
    audit.record("core.test.drill", case, actor=world.user("city_admin", "city"), after={"v": 1.5, "n": 2.0})
    return case


def _empty_everything(settings) -> None:
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    assert not User.objects.exists() and not AuditEvent.objects.exists()


def test_restore_drill_into_an_empty_database(populated, settings, tmp_path, capsys):
    before = row_counts()
    head = audit.verify_chain()[3]
    photo_files = sorted(
        p.relative_to(settings.MEDIA_ROOT) for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()
    )
    assert photo_files  # the original and the public copy
    call_command("backup", str(tmp_path / "bk"))
    manifest = json.loads((tmp_path / "bk" / "manifest.json").read_text())
    assert manifest["counts"]["hazards.hazardcase"] == 1 and manifest["audit"]["head"] == head

    _empty_everything(settings)
    call_command("restore", str(tmp_path / "bk"))
    assert "restored and verified" in capsys.readouterr().out

    assert row_counts() == before
    count, bad, _why, restored_head = audit.verify_chain()
    assert bad is None and restored_head == head and count == manifest["audit"]["events"]
    case = HazardCase.objects.get()
    assert case.tracking_code == populated.tracking_code and case.photos.count() == 1
    assert Photo.objects.get().public_copy.open("rb").read(3) == b"\xff\xd8\xff"
    assert (
        sorted(
            p.relative_to(settings.MEDIA_ROOT) for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()
        )
        == photo_files
    )
    call_command("verify_audit")


def test_restore_refuses_a_database_that_is_not_empty(populated, tmp_path):
    call_command("backup", str(tmp_path / "bk"))
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(tmp_path / "bk"))


def test_a_tampered_backup_fails_verification(populated, settings, tmp_path):
    call_command("backup", str(tmp_path / "bk"))
    events = tmp_path / "bk" / "data" / "core.auditevent.jsonl"
    lines = events.read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[0])
    row["fields"]["note"] = "改过的"
    lines[0] = json.dumps(row, ensure_ascii=False)
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _empty_everything(settings)
    with pytest.raises(CommandError, match=f"audit chain broken at event id={row['pk']}"):
        call_command("restore", str(tmp_path / "bk"))
