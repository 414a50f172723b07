import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from pingan.core.models import AuditEvent
from pingan.core.testing import square
from pingan.geo import lookup
from pingan.geo.importer import import_divisions
from pingan.geo.models import Division


def feature(code, name="某地", geometry=None, **props):
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name, **props},
        "geometry": geometry if geometry is not None else square(113.0, 23.0, 113.1, 23.1),
    }


def collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[113.0, 23.0], [113.1, 23.1], [113.1, 23.0], [113.0, 23.1], [113.0, 23.0]]],
}


@pytest.mark.django_db
def test_parents_later_in_the_same_file_and_lookup_rebuilt():
    data = collection(
        feature("440101001", "某街道", square(113.0, 23.0, 113.05, 23.05)),  # child before its parents
        feature("440101", "某区", square(113.0, 23.0, 113.1, 23.1)),
        feature("440100", "某市", square(112.9, 22.9, 113.2, 23.2)),
    )
    report = import_divisions(data)
    assert report.ok, report.lines()
    assert report.created == 3
    town = Division.objects.get(code="440101001")
    assert town.level == "town" and town.parent.code == "440101" and town.parent.parent.code == "440100"
    assert town.path == "440101001" and Division.objects.get(code="440100").path == "4401"
    assert town.min_lon == pytest.approx(113.0) and 23.0 < town.lat < 23.05
    assert lookup.locate(23.02, 113.02) == town
    assert AuditEvent.objects.filter(action="geo.division.import").count() == 1


@pytest.mark.django_db
def test_parent_already_in_database_and_update(world):
    report = import_divisions(collection(feature("441802007", "东城街道", square(113.1, 23.6, 113.2, 23.8))))
    assert report.ok and report.created == 1
    assert Division.objects.get(code="441802007").parent == world.districts["qingcheng"]
    assert lookup.locate(23.7, 113.15).code == "441802007"
    # Importing again updates in place (new name, new boundary).
    report = import_divisions(
        collection(feature("441802007", "东城街道(新)", square(113.1, 23.6, 113.15, 23.8)))
    )
    assert report.ok and report.updated == 1 and report.created == 0
    assert Division.objects.get(code="441802007").name == "东城街道(新)"
    assert lookup.locate(23.7, 113.18).code == "441802"


@pytest.mark.django_db
def test_old_qingxin_county_code_is_mapped(world):
    report = import_divisions(
        collection(
            feature("441803", "清新区", square(112.6, 23.6, 112.9, 24.0)),
            feature("441827102", "太和镇", square(112.6, 23.6, 112.7, 23.7)),
        )
    )
    assert report.ok, report.lines()
    assert Division.objects.get(code="441803102").parent.code == "441803"


@pytest.mark.parametrize(
    "bad,reason",
    [
        (feature("440101001", "某镇", BOWTIE), "invalid_geometry"),
        (feature("440101001", "某镇", {"type": "Point", "coordinates": [113, 23]}), "invalid_geometry"),
        (feature("440199001", "某镇"), "unknown_parent"),
        (feature("4401010011", "某镇"), "code_length"),
        (feature("44010100", "某镇", level="town"), "code_length"),
        (feature("440101001", ""), "missing_name"),
        (feature("440101001", "某镇", parent="440102"), "unknown_parent"),
    ],
)
@pytest.mark.django_db
def test_each_error_is_reported_and_nothing_is_written(bad, reason):
    data = collection(
        feature("440100", "某市", square(112.9, 22.9, 113.2, 23.2)), feature("440101", "某区"), bad
    )
    report = import_divisions(data)
    assert not report.ok
    assert [(p.index, p.reason) for p in report.problems] == [(2, reason)]
    assert report.problems[0].code == bad["properties"]["code"]
    assert "第 3 个要素" in str(report.problems[0])
    assert Division.objects.count() == 0  # all or nothing: the good features were not written either
    assert not AuditEvent.objects.filter(action="geo.division.import").exists()


@pytest.mark.django_db
def test_duplicate_code_names_both_and_every_problem_is_listed():
    data = collection(
        feature("440100", "某市"),
        feature("440101", "某区"),
        feature("440101", "又一个区"),
        feature("440101002", "", BOWTIE),
    )
    report = import_divisions(data)
    reasons = [(p.index, p.code, p.reason) for p in report.problems]
    assert (2, "440101", "duplicate_code") in reasons
    assert (3, "440101002", "missing_name") in reasons and (3, "440101002", "invalid_geometry") in reasons
    assert "第 2 个要素" in next(p.message for p in report.problems if p.reason == "duplicate_code")
    assert Division.objects.count() == 0


@pytest.mark.django_db
def test_not_a_feature_collection():
    report = import_divisions(b'{"type": "Feature"}')
    assert not report.ok and report.problems[0].reason == "invalid_file"
    report = import_divisions(b"not json")
    assert not report.ok and report.problems[0].reason == "invalid_file"


@pytest.mark.django_db
def test_dry_run_writes_nothing():
    report = import_divisions(collection(feature("440100", "某市")), dry_run=True)
    assert report.ok and report.dry_run and Division.objects.count() == 0


@pytest.mark.django_db
def test_command(tmp_path):
    good = tmp_path / "good.geojson"
    good.write_bytes(collection(feature("440100", "某市"), feature("440101", "某区")))
    call_command("import_divisions", str(good), "--dry-run")
    assert Division.objects.count() == 0
    call_command("import_divisions", str(good))
    assert Division.objects.count() == 2
    bad = tmp_path / "bad.geojson"
    bad.write_bytes(collection(feature("440102", "某区", BOWTIE)))
    with pytest.raises(CommandError):
        call_command("import_divisions", str(bad))


@pytest.mark.django_db
def test_admin_upload_page(client, world):
    from pingan.org.models import User

    admin = User.objects.create_superuser(
        "root", password="Pingan-root-2026!", role="city_admin", division=world.city
    )
    client.force_login(admin)
    assert client.get("/admin/geo/division/").status_code == 200
    assert client.get("/admin/geo/division/import/").status_code == 200
    bad = SimpleUploadedFile("b.geojson", collection(feature("441802008", "洲心街道", BOWTIE)))
    r = client.post("/admin/geo/division/import/", {"file": bad})
    assert r.status_code == 200 and "invalid_geometry" in r.content.decode()
    good = SimpleUploadedFile(
        "g.geojson", collection(feature("441802008", "洲心街道", square(113.1, 23.6, 113.2, 23.7)))
    )
    r = client.post("/admin/geo/division/import/", {"file": good})
    assert r.status_code == 200 and Division.objects.filter(code="441802008").exists()
    # A person without admin rights cannot reach the page.
    client.force_login(world.user("area_staff"))
    assert client.get("/admin/geo/division/import/").status_code == 302
