"""The API operations the permission matrix in test_api.py exercises for every role."""

COVERED = {
    ("GET", "/api/v1/licence-applications/"),
    ("POST", "/api/v1/licence-applications/"),
    ("GET", "/api/v1/licence-applications/{id}/"),
    ("POST", "/api/v1/licence-applications/{id}/request-materials/"),
    ("POST", "/api/v1/licence-applications/{id}/supplement/"),
    ("POST", "/api/v1/licence-applications/{id}/accept/"),
    ("POST", "/api/v1/licence-applications/{id}/stop-clock/"),
    ("POST", "/api/v1/licence-applications/{id}/resume-clock/"),
    ("POST", "/api/v1/licence-applications/{id}/decide/"),
    ("GET", "/api/v1/licences/"),
    ("GET", "/api/v1/licences/{id}/"),
    ("POST", "/api/v1/licences/{id}/sanction/"),
}
