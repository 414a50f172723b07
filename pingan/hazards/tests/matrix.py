"""The API operations the permission matrix in test_api.py exercises for every role."""

COVERED = {
    ("GET", "/api/v1/hazards/"), ("POST", "/api/v1/hazards/"), ("GET", "/api/v1/hazards/{id}/"),
    ("POST", "/api/v1/hazards/{id}/transition/"), ("GET", "/api/v1/hazards/{id}/comments/"),
    ("POST", "/api/v1/hazards/{id}/comments/"), ("POST", "/api/v1/hazards/{id}/photos/"),
    ("POST", "/api/v1/hazards/{id}/task/"), ("PUT", "/api/v1/hazards/{id}/plan/"),
    ("GET", "/api/v1/hazards/map/"), ("GET", "/api/v1/hazards/duplicates/"),
    ("GET", "/api/v1/hazard-categories/"), ("GET", "/api/v1/hazard-categories/{id}/"),
    ("GET", "/api/v1/hazard-routes/"), ("POST", "/api/v1/hazard-routes/"), ("GET", "/api/v1/hazard-routes/{id}/"),
    ("PUT", "/api/v1/hazard-routes/{id}/"), ("PATCH", "/api/v1/hazard-routes/{id}/"),
    ("DELETE", "/api/v1/hazard-routes/{id}/"),
    ("GET", "/api/v1/hazard-tracking/{code}/"), ("POST", "/api/v1/hazard-tracking/{code}/feedback/"),
}
