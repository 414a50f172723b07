"""Operations covered by the emergency permission-matrix tests (test_api.py, test_permissions.py)."""

COVERED = {
    ("GET", "/api/v1/emergency/incidents/"),
    ("POST", "/api/v1/emergency/incidents/"),
    ("GET", "/api/v1/emergency/incidents/{id}/"),
    ("POST", "/api/v1/emergency/incidents/{id}/supplement/"),
    ("POST", "/api/v1/emergency/incidents/{id}/response/"),
    ("GET", "/api/v1/emergency/reports/"),
    ("GET", "/api/v1/emergency/reports/{id}/"),
    ("POST", "/api/v1/emergency/reports/{id}/send/"),
    ("GET", "/api/v1/emergency/duty-posts/"),
    ("GET", "/api/v1/emergency/duty-posts/{id}/"),
    ("GET", "/api/v1/emergency/shifts/"),
    ("GET", "/api/v1/emergency/shifts/{id}/"),
    ("GET", "/api/v1/emergency/on-duty/"),
    ("POST", "/api/v1/emergency/grade/"),
    ("GET", "/api/v1/emergency/sanfang-responses/"),
    ("GET", "/api/v1/emergency/sanfang-responses/{id}/"),
    ("POST", "/api/v1/emergency/sanfang-responses/{id}/change/"),
    ("GET", "/api/v1/emergency/sanfang-reports/"),
    ("GET", "/api/v1/emergency/sanfang-reports/{id}/"),
    ("POST", "/api/v1/emergency/sanfang-reports/{id}/submit/"),
}
