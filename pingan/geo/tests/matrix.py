"""Operations of the geo API covered by the permission matrix (tests/test_api.py)."""

COVERED = {
    ("GET", "/api/v1/divisions/"),
    ("GET", "/api/v1/divisions/{code}/"),
    ("GET", "/api/v1/divisions/locate/"),
    ("GET", "/api/v1/divisions/geojson/"),
    ("GET", "/api/v1/divisions/basemap/"),
}
