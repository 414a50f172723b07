"""Local stand-ins for the outside world: an HTTP receiver and an SMTP server, both on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

OK_ROBOT = (200, b'{"errcode":0,"errmsg":"ok"}')


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next scripted (status, body[, headers]); then with `default`."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    script: list[tuple] = field(default_factory=list)
    default: tuple = OK_ROBOT
    # Called with each request before answering; may return a (status, body) to override the script.
    check: Any = None

    def answer(self, received: Received) -> tuple:
        if self.check is not None:
            verdict = self.check(received)
            if verdict is not None:
                return verdict
        return self.script.pop(0) if self.script else self.default


@pytest.fixture
def receiver():
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            received = Received(
                path=parts.path,
                query=parse_qs(parts.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length),
            )
            state.requests.append(received)
            status, body, *extra = state.answer(received)
            self.send_response(status)
            for name, value in (extra[0] if extra else {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on 127.0.0.1; Django's SMTP backend pointed at it."""
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self) -> None:
            self.envelopes: list[Any] = []

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            self.envelopes.append(envelope)
            return "250 Message accepted for delivery"

    handler = Handler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    handler.port = port
    yield handler
    controller.stop()


@pytest.fixture
def loopback_ok(settings):
    """The receivers listen on 127.0.0.1, which real preferences may not point at."""
    settings.NOTIFY_WEBHOOK_ALLOW_LOOPBACK = True
    return settings


@pytest.fixture
def person(db):
    """A person of their own (no world needed), without email or phone unless a test sets them."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        username="notify_person", password="x" * 12, role="area_staff"
    )
