"""Outgoing webhooks cannot be pointed at this machine, the private network or cloud metadata:
every spelling of a forbidden address is refused, the check runs on the resolved addresses at send
time, the connection goes to the address that was checked (DNS rebinding), and redirects are not
followed."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from pingan.notify import channels
from pingan.notify.channels import DeliveryError, address_forbidden, literal_address, resolve_destination

FORBIDDEN_URLS = [
    "http://127.0.0.1/h",
    "http://localhost/h",
    "http://a.localhost/h",
    "http://[::1]/h",
    "http://[::ffff:127.0.0.1]/h",
    "http://[::ffff:7f00:1]/h",
    "http://[::127.0.0.1]/h",
    "http://2130706433/h",
    "http://0x7f000001/h",
    "http://0x7f.1/h",
    "http://0177.0.0.1/h",
    "http://127.1/h",
    "http://017700000001/h",
    "http://0/h",
    "http://0.0.0.0/h",
    "http://[::]/h",
    "http://10.1.2.3/h",
    "http://172.16.0.1/h",
    "http://192.168.1.1/h",
    "http://[::ffff:192.168.1.1]/h",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::ffff:169.254.169.254]/",
    "http://[fe80::1%25eth0]/h",
    "http://100.100.100.200/latest/meta-data/",
    "http://100.64.0.1/h",
    "http://[fd00:ec2::254]/",
    "http://[fc00::1]/h",
    "http://224.0.0.1/h",
    "http://[ff02::1]/h",
    "http://240.0.0.1/h",
    "http://255.255.255.255/h",
    "http://[64:ff9b::7f00:1]/h",
    "http://[2002:7f00:1::]/h",
    "http://[2002:a9fe:a9fe::]/h",
    "http://198.18.0.1/h",
    "http://192.0.2.1/h",
    "http://[2001:db8::1]/h",
]


@pytest.mark.parametrize("url", FORBIDDEN_URLS)
def test_every_spelling_of_a_forbidden_address_is_refused_without_a_connection(url, monkeypatch):
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: pytest.fail("connected"))
    with pytest.raises(DeliveryError) as refused:
        channels.post_json(url, b"{}")
    assert refused.value.permanent


@pytest.mark.parametrize(
    ("spelling", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
        ("fe80::1%eth0", "fe80::1"),
        ("example.com", None),
        ("0xzz", None),
    ],
)
def test_literal_spellings_are_read_as_the_resolver_reads_them(spelling, address):
    found = literal_address(spelling)
    assert (str(found) if found else None) == address


@pytest.mark.parametrize("ip", ["93.184.216.34", "8.8.8.8", "2606:4700::1111"])
def test_public_unicast_is_allowed(ip):
    assert not address_forbidden(ipaddress.ip_address(ip))


def _fake_dns(monkeypatch, answers: list[list[str]]):
    calls = []

    def getaddrinfo(host, port, *args, **kwargs):
        calls.append(host)
        ips = answers[min(len(calls), len(answers)) - 1]
        return [
            (socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
            for ip in ips
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return calls


@pytest.mark.parametrize(
    "internal", ["127.0.0.1", "10.0.0.5", "169.254.169.254", "::ffff:127.0.0.1", "fd12::1"]
)
def test_a_name_resolving_to_any_internal_address_is_refused(monkeypatch, internal):
    _fake_dns(monkeypatch, [["93.184.216.34", internal]])
    with pytest.raises(DeliveryError) as refused:
        resolve_destination("https://hooks.example.com/x")
    assert refused.value.permanent


def test_dns_rebinding_the_connection_goes_to_the_checked_address(monkeypatch):
    """The name answers a public address to the check and 127.0.0.1 afterwards: the request still
    goes to the public address (resolved once), never to the rebound one."""
    calls = _fake_dns(monkeypatch, [["93.184.216.34"], ["127.0.0.1"]])
    connected = []

    def create_connection(address, *args, **kwargs):
        connected.append(address)
        raise ConnectionRefusedError("test: no network")

    monkeypatch.setattr(socket, "create_connection", create_connection)
    with pytest.raises(DeliveryError) as failed:
        channels.post_json("http://rebind.example.com/hook", b"{}")
    assert not failed.value.permanent  # a refused connection is retried later (and re-checked then)
    assert calls == ["rebind.example.com"]
    assert connected == [("93.184.216.34", 80)]


def test_https_keeps_the_name_for_tls_while_connecting_to_the_checked_address():
    conn = channels._pinned_connection("https", "hooks.example.com", 443, "93.184.216.34", 5)
    assert conn.host == "hooks.example.com"  # Host header, SNI and certificate check use the name


def test_redirect_into_the_metadata_service_is_not_followed(monkeypatch, settings):
    """A public receiver that answers 302 → 169.254.169.254: the 3xx is a failure, nothing more is sent."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.NOTIFY_WEBHOOK_ALLOW_LOOPBACK = True  # the test receiver is on loopback
    try:
        with pytest.raises(DeliveryError) as moved:
            channels.post_json(f"http://127.0.0.1:{server.server_port}/hook", b"{}")
    finally:
        server.shutdown()
    assert "302" in str(moved.value)
    assert hits == ["/hook"]


# --- The same rules when a preference is saved (not only when sending) ---------------------------
@pytest.mark.parametrize("url", FORBIDDEN_URLS)
def test_every_forbidden_spelling_is_refused_when_saved(url):
    from django.core.exceptions import ValidationError

    from pingan.notify.models import Preference

    pref = Preference(webhook_url=url, webhook_kind="wecom")
    with pytest.raises(ValidationError) as refused:
        pref.full_clean(exclude=["user"])
    assert refused.value.error_dict["webhook_url"][0].code in ("host_forbidden", "invalid")


@pytest.mark.parametrize(
    "url", ["http://[::ffff:127.0.0.1]/h", "http://10.1.2.3/oa", "http://100.100.100.200/"]
)
def test_the_api_and_the_form_refuse_a_forbidden_address_naming_the_field(world, login_api, client, url):
    from pingan.notify.models import Preference

    r = login_api("area_staff").put(
        "/api/v1/notification-preferences/me/", {"webhook_url": url, "webhook_kind": "wecom"}
    )
    assert r.status_code == 400
    assert {"field": "webhook_url", "code": "host_forbidden"} in [
        {"field": e["field"], "code": e["code"]} for e in r.json()["errors"]
    ]
    client.force_login(world.user("grid_worker"))
    page = client.post("/console/inbox/preferences/", {"webhook_url": url, "webhook_kind": "wecom"})
    assert page.status_code == 200 and "内网" in page.content.decode()
    assert not Preference.objects.filter(webhook_url=url).exists()
