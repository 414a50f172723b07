"""Import of an external CAP Atom feed: deduplicated by identifier; a malformed message is one clear
error and nothing else is lost; the issued signal is kept as issued (never re-derived, §8)."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from pingan.core.models import AuditEvent
from pingan.warnings.choices import MsgType, Source, State
from pingan.warnings.importer import import_feed
from pingan.warnings.models import EarlyWarning

pytestmark = pytest.mark.django_db

CAP = "urn:oasis:names:tc:emergency:cap:1.2"


def alert(
    identifier,
    *,
    msg_type="Alert",
    references="",
    severity="Orange",
    code="11B03",
    expires=True,
    area="<area><areaDesc>清城区</areaDesc><geocode><valueName>GB/T 2260</valueName><value>441802</value></geocode></area>",  # noqa: E501
):
    refs = f"<references>{references}</references>" if references else ""
    exp = "<expires>2099-07-01T20:00:00+08:00</expires>" if expires else ""
    return f"""<alert xmlns="{CAP}"><identifier>{identifier}</identifier>
<sender>gd-weather@example.cn</sender><sent>2026-07-01T14:00:00+08:00</sent><status>Actual</status><msgType>{msg_type}</msgType><scope>Public</scope>{refs}
<info><language>zh-CN</language><category>Met</category><event>暴雨</event><urgency>Immediate</urgency>
<severity>{severity}</severity><certainty>Likely</certainty>
<eventCode><valueName>GB/T 35965.1</valueName><value>{code}</value></eventCode>
{exp}<senderName>清远市气象台</senderName><headline>清远市气象台发布暴雨橙色预警信号</headline>
<description>过去3小时清城区已出现50毫米以上降雨。</description>{area}</info></alert>"""


def feed(*contents):
    entries = "".join(
        f"<entry><id>tag:weather,{i}</id><title>t</title><updated>2026-07-01T14:00:00+08:00</updated>"
        f'<content type="application/cap+xml">{c}</content></entry>'
        for i, c in enumerate(contents)
    )
    return f'<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>t</title>{entries}</feed>'


A = "44180041600000_20260701140000"


def test_duplicate_and_malformed_give_one_warning_and_one_error(world):
    bad = alert("44180041600000_20260701140500", expires=False)
    result = import_feed(feed(alert(A), alert(A), bad, alert("44180041600000_20260701141000", code="11B01")))
    assert result.created == [A, "44180041600000_20260701141000"]
    assert result.duplicates == [A]
    assert len(result.errors) == 1 and "tag:weather,2" in result.errors[0] and "expires" in result.errors[0]
    w = EarlyWarning.objects.get(identifier=A)
    assert (w.state, w.source, w.colour, w.division.code) == (
        State.PUBLISHED,
        Source.IMPORT,
        "orange",
        "441802",
    )
    assert AuditEvent.objects.filter(action="warnings.warning.import").count() == 2


def test_second_poll_imports_nothing_again(world):
    import_feed(feed(alert(A)))
    again = import_feed(feed(alert(A)))
    assert again.created == [] and again.duplicates == [A]
    assert EarlyWarning.objects.count() == 1


def test_the_issued_signal_is_kept_as_issued(world):
    """Guangdong's signal colour comes from the message, whatever the rainfall in its text says."""
    import_feed(feed(alert(A, severity="Red")))
    assert EarlyWarning.objects.get(identifier=A).colour == "red"


def test_cap_severity_values_are_read_too(world):
    import_feed(feed(alert(A, severity="Severe")))
    assert EarlyWarning.objects.get(identifier=A).colour == "orange"


def test_cancel_ends_the_original(world):
    B = "44180041600000_20260701160000"
    import_feed(feed(alert(A)))
    result = import_feed(
        feed(alert(B, msg_type="Cancel", references=f"gd-weather@example.cn,{A},2026-07-01T14:00:00+08:00"))
    )
    assert result.created == [B]
    original = EarlyWarning.objects.get(identifier=A)
    assert original.state == State.CANCELLED
    cancel = EarlyWarning.objects.get(identifier=B)
    assert cancel.msg_type == MsgType.CANCEL and cancel.original == original and not cancel.is_active


def test_update_without_references_is_an_error(world):
    result = import_feed(feed(alert(A, msg_type="Update")))
    assert result.created == [] and len(result.errors) == 1 and "references" in result.errors[0]


def test_not_xml_is_one_error(world):
    result = import_feed(b"<feed")
    assert result.created == [] and len(result.errors) == 1


def test_content_that_is_not_xml_is_one_error_and_others_survive(world):
    body = feed(alert(A)).replace(
        "</feed>", '<entry><id>junk</id><content type="text/xml">&lt;alert</content></entry></feed>'
    )
    result = import_feed(body)
    assert result.created == [A] and len(result.errors) == 1 and result.errors[0].startswith("junk")


def test_linked_messages_are_fetched(world):
    body = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>l1</id>'
        '<link rel="related" type="application/cap+xml" href="http://bureau.example/a.xml"/></entry></feed>'
    )
    result = import_feed(body, fetcher=lambda url: alert(A).encode())
    assert result.created == [A]


def test_management_command_reads_a_file(world, tmp_path: Path):
    path = tmp_path / "feed.xml"
    path.write_text(feed(alert(A)), encoding="utf-8")
    out = io.StringIO()
    call_command("import_cap_feed", str(path), stdout=out)
    assert "1 new" in out.getvalue()
    path.write_text(
        feed(alert(A, expires=False).replace(A, "44180041600000_20260701150000")), encoding="utf-8"
    )
    with pytest.raises(CommandError):
        call_command("import_cap_feed", str(path), stdout=io.StringIO(), stderr=io.StringIO())


def test_periodic_task_polls_configured_urls(world, settings, monkeypatch):
    from pingan.warnings import importer
    from pingan.warnings.tasks import import_feeds

    settings.WARNINGS_FEED_URLS = ["http://bureau.example/feed.atom"]
    monkeypatch.setattr(importer, "fetch", lambda url, timeout=20: feed(alert(A)).encode())
    out = import_feeds.call_local()
    assert out["http://bureau.example/feed.atom"]["created"] == 1
