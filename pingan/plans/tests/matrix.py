"""The API operations the permission matrix in test_api.py exercises for every role."""

COVERED = {
    ("GET", "/api/v1/plans/"),
    ("GET", "/api/v1/plans/{id}/"),
    ("GET", "/api/v1/plans/matches/"),
    ("GET", "/api/v1/plan-activations/"),
    ("POST", "/api/v1/plan-activations/"),
    ("GET", "/api/v1/plan-activations/{id}/"),
    ("POST", "/api/v1/plan-activations/{id}/stand-down/"),
    ("POST", "/api/v1/plan-activations/{id}/review/"),
    ("GET", "/api/v1/plan-tasks/"),
    ("POST", "/api/v1/plan-tasks/{id}/progress/"),
}
