import pytest


@pytest.mark.parametrize(
    "model", ["device", "sensor", "rule", "escalationpolicy", "silence", "alarm", "deadletter"]
)
def test_admin_lists(admin_client, model):
    assert admin_client.get(f"/admin/monitoring/{model}/").status_code == 200
