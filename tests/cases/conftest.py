"""Real SMTP both ways: an aiosmtpd sink that receives our outbound mail, and our own SMTP
receiver that ``smtplib`` delivers to."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from huey.contrib.djhuey import HUEY

from connect_support.cases.inbound.smtp import SmtpReceiver, smtp_receiver_start
from tests.identity.fixtures import fresh_rate_limits

__all__ = ["fresh_rate_limits"]

MAIL_DATA = Path(__file__).resolve().parent.parent / "data" / "mail"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class _SinkHandler:
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 Message accepted"


class SmtpSink:
    """A real SMTP server on loopback that keeps what it receives. It can be down."""

    def __init__(self) -> None:
        self.port = free_port()
        self.handler = _SinkHandler()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, decode_data=False)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        with self.handler.lock:
            raws = [raw for _sender, _rcpts, raw in self.handler.messages]
        parsed = [email.message_from_bytes(raw, policy=email.policy.default) for raw in raws]
        return [m for m in parsed if isinstance(m, EmailMessage)]

    def wait_for(self, count: int, timeout: float = 10) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} messages, the SMTP server got {len(self.messages)}")
            time.sleep(0.02)
        return self.messages


@pytest.fixture
def smtp_sink(settings: Any) -> Iterator[SmtpSink]:
    """Outbound mail goes through Django's SMTP backend to this server (started)."""
    sink = SmtpSink()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def receiver(transactional_db: None) -> Iterator[SmtpReceiver]:
    """Our SMTP receiver on a free port; what it stores is visible to the test."""
    running = smtp_receiver_start(host="127.0.0.1", port=free_port())
    yield running
    running.stop()


@pytest.fixture
def immediate_jobs() -> Iterator[None]:
    """Jobs run when queued (after commit), in the process that queued them."""
    was = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = was


def mail(
    *,
    sender: str = "Robin Owner <robin@shop.example>",
    to: str = "support@localhost",
    subject: str = "Question about my payout",
    body: str = "Hello, my payout did not arrive.",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
) -> bytes:
    """A message as a mail client writes it."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or email.utils.make_msgid(domain="shop.example")
    message["Date"] = email.utils.formatdate(localtime=True)
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for filename, content, content_type in attachments:
        maintype, subtype = content_type.split("/", 1)
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


def tiny_png() -> bytes:
    return (MAIL_DATA.parent / "files" / "receipt.png").read_bytes()


def tiny_pdf() -> bytes:
    return (MAIL_DATA.parent / "files" / "statement.pdf").read_bytes()
