from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from pingan.rescue.models import RoadNetwork


def helsinki() -> Path:
    from .test_network import HELSINKI

    return Path(str(HELSINKI))


@pytest.mark.django_db
def test_import_roads_command(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    path = helsinki()
    call_command("import_roads", str(path), "--name", "Helsinki")
    network = RoadNetwork.objects.get(name="Helsinki")
    assert network.nodes > 100 and network.edges > network.nodes


@pytest.mark.django_db
def test_import_roads_refuses_a_file_that_is_not_osm(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    bad = tmp_path / "roads.osm.pbf"
    bad.write_bytes(b"this is not an OSM file")
    with pytest.raises(CommandError):
        call_command("import_roads", str(bad))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_roads", str(tmp_path / "missing.osm"))
