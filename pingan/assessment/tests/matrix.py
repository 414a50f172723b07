"""The API operations the permission matrix in test_api.py exercises for every role."""

COVERED = {
    ("GET", "/api/v1/responsibility-lists/"),
    ("POST", "/api/v1/responsibility-lists/"),
    ("GET", "/api/v1/responsibility-lists/{id}/"),
    ("PATCH", "/api/v1/responsibility-lists/{id}/"),
    ("POST", "/api/v1/responsibility-lists/{id}/sign/"),
    ("GET", "/api/v1/assessments/"),
    ("GET", "/api/v1/assessments/{year}/"),
    ("POST", "/api/v1/assessments/{year}/weights/"),
    ("POST", "/api/v1/assessments/{year}/score/"),
    ("POST", "/api/v1/assessments/{year}/publish/"),
}
