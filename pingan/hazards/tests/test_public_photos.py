"""Public photos are reached by a random public_id (never the sequential primary key), and the
acceptance evidence is never served to the public (tracking page, /report/photo/, Open311)."""

from __future__ import annotations

import importlib
import uuid
from types import SimpleNamespace

import pytest
from django.test import Client

from pingan.hazards.choices import PhotoKind
from pingan.hazards.photos import save_photo

from .factories import png, submit


@pytest.fixture
def case_with_photos(world):
    case = submit(world, source="public", photos=[png()])
    accepted = save_photo(case, png(), kind=PhotoKind.ACCEPTANCE, user=world.user("area_staff"))
    fixed = save_photo(case, png(), kind=PhotoKind.RECTIFICATION, user=world.user("dept_staff", "city"))
    return case, case.photos.get(kind=PhotoKind.REPORT), fixed, accepted


def test_public_photo_addresses_are_random_not_sequential(case_with_photos):
    case, report, fixed, _accepted = case_with_photos
    assert isinstance(report.public_id, uuid.UUID) and report.public_id != fixed.public_id
    c = Client()
    assert c.get(f"/report/photo/{report.public_id}/").status_code == 200
    assert c.get(f"/report/track/{case.tracking_code}/photo/{fixed.public_id}/").status_code == 200
    # The sequential number is no address at all.
    assert c.get(f"/report/photo/{report.pk}/").status_code == 404
    assert c.get(f"/report/track/{case.tracking_code}/photo/{report.pk}/").status_code == 404
    assert c.get(f"/report/photo/{uuid.uuid4()}/").status_code == 404
    page = c.get(f"/report/track/{case.tracking_code}/").content.decode()
    assert str(report.public_id) in page and f"/photo/{report.pk}/" not in page


def test_acceptance_evidence_is_never_public(case_with_photos):
    case, report, fixed, accepted = case_with_photos
    c = Client()
    assert c.get(f"/report/photo/{accepted.public_id}/").status_code == 404
    assert c.get(f"/report/track/{case.tracking_code}/photo/{accepted.public_id}/").status_code == 404
    page = c.get(f"/report/track/{case.tracking_code}/").content.decode()
    assert str(accepted.public_id) not in page and str(fixed.public_id) in page
    # Staff still see it from the console; a non-staff person who can open the case there does not.
    staff = Client()
    staff.force_login(case.photos.get(pk=accepted.pk).uploaded_by)
    assert staff.get(f"/console/hazards/{case.pk}/photos/{accepted.pk}/").status_code == 200


def test_the_console_serves_acceptance_evidence_to_staff_only(world):
    from pingan.hazards.models import HazardCase

    own = world.enterprises["qingcheng"]
    case = submit(world, source="console", enterprise=own, photos=[png()])
    accepted = save_photo(case, png(), kind=PhotoKind.ACCEPTANCE)
    assert HazardCase.objects.visible_to(world.user("enterprise", "qingcheng")).filter(pk=case.pk).exists()
    c = Client()
    c.force_login(world.user("enterprise", "qingcheng"))
    report = case.photos.get(kind=PhotoKind.REPORT)
    assert c.get(f"/console/hazards/{case.pk}/photos/{report.pk}/").status_code == 200
    assert c.get(f"/console/hazards/{case.pk}/photos/{accepted.pk}/").status_code == 404


def test_open311_media_url_is_the_first_public_photo_by_public_id(world):
    case = submit(world, source="public")
    accepted = save_photo(case, png(), kind=PhotoKind.ACCEPTANCE)
    rows = Client().get("/open311/v2/requests.json").json()
    assert rows[0]["media_url"] is None  # only acceptance evidence: no public photo
    report = save_photo(case, png(), kind=PhotoKind.REPORT)
    media = Client().get(f"/open311/v2/requests/{case.number}.json").json()[0]["media_url"]
    assert media.endswith(f"/report/photo/{report.public_id}/") and str(accepted.public_id) not in media


def test_the_data_migration_gives_every_existing_photo_its_own_public_id():
    migration = importlib.import_module("pingan.hazards.migrations.0003_photo_public_id")
    rows = [SimpleNamespace(pk=i, public_id=None) for i in range(4500)]
    saved: list[SimpleNamespace] = []

    class Manager:
        def filter(self, **kw):
            assert kw == {"public_id__isnull": True}
            return self

        def only(self, *fields):
            return self

        def iterator(self, chunk_size):
            return iter(rows)

        def bulk_update(self, batch, fields):
            assert fields == ["public_id"] and len(batch) <= 2000
            saved.extend(batch)

    apps = SimpleNamespace(get_model=lambda app, model: SimpleNamespace(objects=Manager()))
    migration.fill_public_ids(apps, None)
    assert len(saved) == 4500 and len({r.public_id for r in saved}) == 4500
