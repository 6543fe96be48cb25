"""The SMTP receiver: an aiosmtpd server that accepts mail for our support address and
its sub-addresses, stores it, and threads it into cases.

A message is answered ``250`` only after its raw bytes are committed; if storing fails the
answer is ``451`` and the sending server tries again later. Recipients outside our support
address are refused at ``RCPT`` (this is not a relay).
"""

from __future__ import annotations

import logging
import ssl
import threading
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connection

from connect_support.cases.addresses import is_our_address, mail_domain
from connect_support.cases.inbound.receive import inbound_mail_process, inbound_mail_store, max_inbound_bytes

logger = logging.getLogger(__name__)
MAX_RECIPIENTS = 50


def _refresh_connections() -> None:
    """Drop broken or aged connections (a long-running process must), but keep SQLite's:
    with no maximum age configured it would otherwise reconnect for every message."""
    if connection.vendor != "sqlite" or connection.errors_occurred:
        close_old_connections()


def _store_and_process(raw: bytes, peer: str, mail_from: str, rcpt_tos: list[str]) -> str:
    """Runs in a worker thread. Returns the SMTP answer."""
    _refresh_connections()
    try:
        row = inbound_mail_store(raw=raw, source="smtp", peer=peer, envelope_from=mail_from, envelope_to=rcpt_tos)
    except Exception:  # the sender keeps the message and retries on 4xx
        logger.exception("could not store inbound mail")
        return "451 4.3.0 Could not store the message; please try again later"
    try:
        inbound_mail_process(inbound_id=row.pk, row=row)
    except Exception:  # stored: the periodic job processes it later
        logger.exception("inbound mail stored but not processed", extra={"inbound": row.pk})
    return f"250 2.0.0 Message accepted as {row.pk}"


class CaseMailHandler:
    """aiosmtpd handler hooks."""

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook names)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if not is_our_address(address):
            return "550 5.1.1 No such mailbox here"
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer or "")
        # SQLite takes one writer at a time: one thread for all of them avoids its busy-wait
        # sleeps. PostgreSQL writes in parallel, from a pool of threads.
        serial = connection.vendor == "sqlite"
        answer: str = await sync_to_async(_store_and_process, thread_sensitive=serial)(
            bytes(raw), str(peer), envelope.mail_from or "<>", list(envelope.rcpt_tos)
        )
        return answer


def _tls_context() -> ssl.SSLContext | None:
    cert = getattr(settings, "SMTPD_TLS_CERT", "")
    key = getattr(settings, "SMTPD_TLS_KEY", "")
    if not cert or not key:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@dataclass
class SmtpReceiver:
    """A running receiver (its own thread and event loop)."""

    controller: Any

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def stop(self) -> None:
        self.controller.stop()


# RFC 5321 caps lines at 1,000 octets, but some senders write whole HTML bodies on one line;
# refusing them would lose their mail, so lines up to this length are accepted.
LINE_LENGTH_LIMIT = 1024 * 1024


def smtp_receiver_start(*, host: str, port: int) -> SmtpReceiver:
    """Start listening (in a thread of its own); raises when the port cannot be bound."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP

    class LenientSMTP(SMTP):
        line_length_limit = LINE_LENGTH_LIMIT

    class LenientController(Controller):
        def factory(self) -> Any:
            return LenientSMTP(self.handler, **self.SMTP_kwargs)

    tls = _tls_context()
    controller = LenientController(
        CaseMailHandler(),
        hostname=host,
        port=port,
        server_hostname=mail_domain(),
        ident="Connect Support ESMTP",
        data_size_limit=max_inbound_bytes(),
        enable_SMTPUTF8=True,
        decode_data=False,
        tls_context=tls,
        require_starttls=False,
    )
    controller.start()
    logger.info("smtp receiver listening", extra={"host": host, "port": controller.port, "starttls": tls is not None})
    return SmtpReceiver(controller)


def smtp_receiver_serve_forever(*, host: str, port: int, stop: threading.Event) -> None:
    receiver = smtp_receiver_start(host=host, port=port)
    try:
        stop.wait()
    finally:
        receiver.stop()
