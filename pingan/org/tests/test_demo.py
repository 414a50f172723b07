"""The Qingyuan demo seeds (geo then org): counts, flags, accounts, and idempotency."""

import csv
from pathlib import Path

import pytest
import shapely

from pingan.core.demo_accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from pingan.geo import demo as geo_demo
from pingan.geo import lookup
from pingan.geo.models import Division
from pingan.org import demo as org_demo
from pingan.org.models import Department, Enterprise, Site, User
from pingan.org.rules import is_valid_uscc

DATA = Path(geo_demo.__file__).parent / "data"


@pytest.fixture
def seeded(db):
    log = []
    geo_demo.seed(log.append)
    org_demo.seed(log.append)
    return log


@pytest.mark.django_db
def test_divisions(seeded):
    assert Division.objects.filter(level="city").get().code == "441800"
    districts = Division.objects.filter(level="district")
    assert districts.count() == 8 and not districts.filter(is_synthetic=True).exists()
    assert all("geotool-cn" in d.geometry_source and "学习交流" in d.geometry_source for d in districts)
    towns = Division.objects.filter(level="town")
    assert towns.count() == 92 and towns.filter(is_synthetic=False).count() == 0
    informal = dict(towns.filter(is_formal=False).values_list("code", "kind"))
    assert informal == {
        "441802400": "开发区",
        "441802450": "林场",
        "441803450": "林场",
        "441821400": "林场",
        "441821401": "保护区",
        "441825450": "林场",
        "441825451": "林场",
    }
    villages = Division.objects.filter(level="village")
    grids = Division.objects.filter(level="grid")
    assert villages.count() >= 92 * 2 and grids.count() == 2 * villages.count()
    assert not villages.filter(is_synthetic=False).exists() and not grids.filter(is_synthetic=False).exists()
    assert all(len(c) == 12 for c in villages.values_list("code", flat=True))
    assert all(len(c) == 15 for c in grids.values_list("code", flat=True))
    city_pop = Division.objects.get(code="441800").population
    assert 3_500_000 < city_pop < 4_500_000
    assert sum(grids.values_list("population", flat=True)) == city_pop
    # Denser south than the mountainous north.
    pop = dict(districts.values_list("code", "population"))
    assert pop["441802"] > pop["441882"] > pop["441825"]


@pytest.mark.django_db
def test_real_boundaries_contain_the_county_seats(seeded):
    lookup.invalidate()
    for row in csv.DictReader((DATA / "districts.csv").open(encoding="utf-8")):
        found = lookup.locate(float(row["seat_lat"]), float(row["seat_lon"]))
        assert found is not None and found.code.startswith(row["code"]), row
        district = Division.objects.get(code=row["code"])
        shape = shapely.geometry.shape(district.geometry)
        assert shape.is_valid and shape.contains(
            shapely.Point(float(row["seat_lon"]), float(row["seat_lat"]))
        )


@pytest.mark.django_db
def test_departments_accounts_and_enterprises(seeded):
    for code in (
        "441800-em",
        "441800-dispatch",
        "441802-em",
        "441881-housing",
        "441826-fire",
        "441802006-gov",
    ):
        assert Department.objects.filter(code=code).exists(), code
    assert Department.objects.filter(kind="township").count() == 92
    assert (
        Department.objects.filter(kind="village").count() == Division.objects.filter(level="village").count()
    )
    usernames = [u for u, _r, _w in DEMO_ACCOUNTS]
    assert sorted(User.objects.values_list("username", flat=True)) == sorted(usernames)
    for username, role, _where in DEMO_ACCOUNTS:
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        assert user.is_superuser == (role == "superuser")
        if role != "superuser":
            assert user.role == role
        user.full_clean(exclude=["password"])
    grid = User.objects.get(username="liannan_grid")
    assert grid.division.level == "grid" and grid.division.code.startswith("441826")
    ent_user = User.objects.get(username="enterprise_demo")
    assert ent_user.enterprise.industry == "hazchem"
    assert "integration API token" in " ".join(seeded)
    ents = Enterprise.objects.all()
    assert 300 <= ents.count() <= 500
    assert all(is_valid_uscc(u) for u in ents.values_list("uscc", flat=True))
    key = ents.filter(key_supervision=True).count()
    assert 0.05 * ents.count() < key < 0.2 * ents.count()
    assert ents.values("division__code").distinct().count() > 100
    assert set(ents.values_list("division__code", flat=True)) and all(
        c[:6] in {"441802", "441803", "441821", "441823", "441825", "441826", "441881", "441882"}
        for c in ents.values_list("division__code", flat=True)
    )
    for e in ents.filter(industry="construction")[:5]:
        assert e.supervising_departments.filter(sector="housing").exists()
    for e in ents.select_related("division")[:40]:
        assert shapely.geometry.shape(e.division.geometry).contains(shapely.Point(e.lon, e.lat))
    assert Site.objects.count() > 50


@pytest.mark.django_db
def test_seeds_are_idempotent(seeded):
    counts = (
        Division.objects.count(),
        Department.objects.count(),
        Enterprise.objects.count(),
        User.objects.count(),
    )
    geo_demo.seed(lambda m: None)
    org_demo.seed(lambda m: None)
    assert counts == (
        Division.objects.count(),
        Department.objects.count(),
        Enterprise.objects.count(),
        User.objects.count(),
    )


@pytest.mark.django_db
def test_org_seed_skips_without_divisions():
    log = []
    org_demo.seed(log.append)
    assert "skipped" in log[0] and not Department.objects.exists()
