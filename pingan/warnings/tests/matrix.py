"""The API operations the permission matrix in test_api.py exercises for every role."""

COVERED = {
    ("GET", "/api/v1/warnings/"),
    ("POST", "/api/v1/warnings/"),
    ("GET", "/api/v1/warnings/{id}/"),
    ("PATCH", "/api/v1/warnings/{id}/"),
    ("POST", "/api/v1/warnings/{id}/submit/"),
    ("POST", "/api/v1/warnings/{id}/approve/"),
    ("POST", "/api/v1/warnings/{id}/reject/"),
    ("POST", "/api/v1/warnings/{id}/publish/"),
    ("POST", "/api/v1/warnings/{id}/follow-up/"),
    ("GET", "/api/v1/warning-subscriptions/"),
    ("POST", "/api/v1/warning-subscriptions/"),
    ("DELETE", "/api/v1/warning-subscriptions/{id}/"),
}
