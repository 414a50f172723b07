"""Operations covered by the notify permission matrix (test_api.py)."""

COVERED = {
    ("GET", "/api/v1/inbox/"),
    ("GET", "/api/v1/inbox/{id}/"),
    ("POST", "/api/v1/inbox/{id}/read/"),
    ("POST", "/api/v1/inbox/read-all/"),
    ("GET", "/api/v1/notification-preferences/me/"),
    ("PUT", "/api/v1/notification-preferences/me/"),
    ("PATCH", "/api/v1/notification-preferences/me/"),
}
