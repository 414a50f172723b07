import pytest

from pingan.core.models import AuditEvent, Deadline
from pingan.licensing import demo, services
from pingan.licensing.models import Application, Licence
from pingan.org.models import Enterprise

pytestmark = pytest.mark.django_db


def test_seed_covers_every_state_and_is_idempotent(world, monkeypatch):
    monkeypatch.setattr(demo, "OFFICE", world.user("dept_staff").username)
    monkeypatch.setattr(demo, "ACCOUNT", world.user("enterprise").username)
    Enterprise.objects.exclude(pk=world.enterprises["qingcheng"].pk).update(
        is_synthetic=True, industry="fireworks"
    )
    demo.seed(lambda m: None)
    own = Application.objects.filter(enterprise=world.enterprises["qingcheng"])
    assert set(own.values_list("state", flat=True)) == {
        "submitted",
        "incomplete",
        "accepted",
        "stopped",
        "approved",
        "refused",
    }
    assert own.get(state="incomplete").missing
    assert Deadline.objects.filter(kind="licensing.decide", met_at=None, cancelled_at=None).exists()
    # Licences on the profiles: the demo enterprise's and the back-entered ones, each with its renewal.
    assert services.licences_of(world.enterprises["qingcheng"].pk)[0]["in_force"]
    back = Licence.objects.exclude(enterprise=world.enterprises["qingcheng"])
    assert back.exists() and all(lic.valid_until and lic.renewal_opens for lic in back)
    assert (
        Deadline.objects.filter(kind="licensing.renew").count()
        == Licence.objects.exclude(valid_until=None).count()
    )
    assert AuditEvent.objects.filter(action="licensing.licence.issue").count() == Licence.objects.count()
    n = Application.objects.count()
    demo.seed(lambda m: None)
    assert Application.objects.count() == n
