"""The API operations the permission matrix in test_api.py exercises for every role."""

COVERED = {
    ("GET", "/api/v1/risk-objects/"), ("POST", "/api/v1/risk-objects/"), ("GET", "/api/v1/risk-objects/{id}/"),
    ("POST", "/api/v1/risk-objects/{id}/assess/"), ("POST", "/api/v1/risk-objects/{id}/events/"),
    ("POST", "/api/v1/risk-objects/{id}/measures/"), ("POST", "/api/v1/risk-objects/{id}/tasks/"),
    ("GET", "/api/v1/risk-objects/map/"), ("GET", "/api/v1/risk-objects/counts/"),
    ("GET", "/api/v1/risk-objects/areas/"),
    ("GET", "/api/v1/risk-tasks/"), ("GET", "/api/v1/risk-tasks/completion/"), ("GET", "/api/v1/risk-tasks/{id}/"), ("POST", "/api/v1/risk-tasks/{id}/records/"),
    ("GET", "/api/v1/major-hazard-sources/"), ("POST", "/api/v1/major-hazard-sources/"),
    ("GET", "/api/v1/major-hazard-sources/{id}/"), ("POST", "/api/v1/major-hazard-sources/{id}/file/"),
    ("POST", "/api/v1/major-hazard-calculator/"),
    ("GET", "/api/v1/safety-commitments/"), ("POST", "/api/v1/safety-commitments/"),
    ("GET", "/api/v1/safety-commitments/{id}/"), ("GET", "/api/v1/safety-commitments/rate/"),
}
