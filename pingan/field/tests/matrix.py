"""The API operations the permission matrix in test_api.py exercises for every role."""

COVERED = {
    ("GET", "/api/v1/field/bundle/"),
    ("POST", "/api/v1/field/inspections/"),
    ("POST", "/api/v1/field/hazards/"),
    ("POST", "/api/v1/field/checks/"),
}
