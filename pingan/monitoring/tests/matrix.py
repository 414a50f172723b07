"""Operations exercised by the permission-matrix tests (test_api.py), as the OpenAPI schema names them."""

COVERED = {
    ("POST", "/api/v1/ingest/readings/"),
    ("GET", "/api/v1/devices/"),
    ("GET", "/api/v1/devices/{id}/"),
    ("POST", "/api/v1/devices/{id}/rotate-token/"),
    ("GET", "/api/v1/sensors/"),
    ("GET", "/api/v1/sensors/{id}/"),
    ("GET", "/api/v1/sensors/geojson/"),
    ("GET", "/api/v1/sensors/{id}/readings/"),
    ("GET", "/api/v1/alarms/"),
    ("GET", "/api/v1/alarms/{id}/"),
    ("GET", "/api/v1/alarms/summary/"),
    ("POST", "/api/v1/alarms/{id}/acknowledge/"),
    ("POST", "/api/v1/alarms/{id}/clear/"),
    ("GET", "/api/v1/alarms/{id}/comments/"),
    ("POST", "/api/v1/alarms/{id}/comments/"),
    ("POST", "/api/v1/alarms/{id}/open-case/"),
    ("POST", "/api/v1/alarms/{id}/open-incident/"),
    ("GET", "/api/v1/alarms/{id}/links/"),
    ("GET", "/api/v1/dead-letters/"),
    ("GET", "/api/v1/dead-letters/{id}/"),
}
