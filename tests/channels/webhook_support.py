"""For the webhook tests: a real HTTP receiver on the loopback interface, the check a
receiver makes of the signature, and subscribing through the service."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from zhongtai.accounts.actors import Actor
from zhongtai.channels import services
from zhongtai.channels.models import WebhookSubscription

ALL_EVENTS = [
    "ticket.created",
    "ticket.updated",
    "ticket.escalated",
    "ticket.resolved",
    "sla.warning",
    "sla.breach",
    "customer.updated",
]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records every POST; answers each with the next of ``answers`` (status, body), then
    with ``(200, "ok")``. ``redirect`` answers 302 to another path."""

    port: int = 0
    received: list[Received] = field(default_factory=list)
    answers: list[tuple[int, str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/zhongtai"

    def handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                status, text = receiver.answers.pop(0) if receiver.answers else (200, "ok")
                self.send_response(status)
                if status in (301, 302, 307, 308):
                    self.send_header("Location", "/elsewhere")
                data = text.encode()
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    @classmethod
    @contextmanager
    def running(cls) -> Iterator[Receiver]:
        receiver = cls()
        server = ThreadingHTTPServer(("127.0.0.1", 0), receiver.handler())
        receiver.port = server.server_address[1]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield receiver
        finally:
            server.shutdown()
            server.server_close()


def refused_url() -> str:
    """An address on loopback where nothing listens (connection refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/nobody"


def signature_valid(header: str, body: bytes, secret: str) -> bool:
    """The check docs/webhooks.md tells receivers to make (any ``v1`` may match)."""
    parts = [item.split("=", 1) for item in header.split(",")]
    timestamp = next(value for key, value in parts if key == "t")
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return any(
        hmac.compare_digest(value, expected.hexdigest()) for key, value in parts if key == "v1"
    )


def subscribe(
    admin: Actor,
    url: str,
    events: list[str] | None = None,
    name: str = "ERP",
    is_active: bool = True,
) -> WebhookSubscription:
    return services.webhook_create(
        actor=admin,
        data=services.WebhookInput(
            name=name, url=url, events=events or ALL_EVENTS, is_active=is_active
        ),
    )
