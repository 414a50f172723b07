"""Operations of the org API covered by the permission matrix (tests/test_api.py)."""

COVERED = {
    ("GET", "/api/v1/departments/"),
    ("GET", "/api/v1/departments/{id}/"),
    ("GET", "/api/v1/people/"),
    ("GET", "/api/v1/people/{id}/"),
    ("GET", "/api/v1/enterprises/"),
    ("POST", "/api/v1/enterprises/"),
    ("GET", "/api/v1/enterprises/{id}/"),
    ("PATCH", "/api/v1/enterprises/{id}/"),
}
