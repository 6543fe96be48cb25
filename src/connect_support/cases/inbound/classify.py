"""Mail that no person wrote: bounces (delivery status notifications), auto-replies and
mail loops. Such mail never opens a case and is never answered; it is kept, with the
reason, for the console to show."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message

from connect_support.cases.addresses import is_our_address, message_ids_in
from connect_support.cases.inbound.mime import ParsedMail, decode_bytes, decode_header_value

_BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.IGNORECASE)
_BOUNCE_SUBJECTS = re.compile(
    r"(undeliver(ed|able)|delivery (status notification|has failed|failure)|returned mail|mail delivery failed|"
    r"failure notice|non.?delivery)",
    re.IGNORECASE,
)
_AUTO_SUBJECTS = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|autosvar|automatische antwort|"
    r"réponse automatique|abwesenheitsnotiz|respuesta automática|risposta automatica)\b",
    re.IGNORECASE,
)
_BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply", "auto-reply"}


@dataclass(frozen=True)
class Verdict:
    code: str  # "bounce", "auto_reply", "loop"
    reason: str
    # For a bounce: the Message-ID of our mail that did not arrive, when the report has it.
    bounced_message_id: str = ""
    diagnostic: str = ""


def _report_details(parsed: ParsedMail) -> tuple[str, str]:
    """(original Message-ID, diagnostic) from a DSN's machine-readable parts."""
    original, diagnostic = "", ""
    for part in parsed.message.walk():
        content_type = part.get_content_type()
        if content_type == "message/delivery-status":
            payload = part.get_payload()
            blocks = [block for block in payload if isinstance(block, Message)] if isinstance(payload, list) else []
            for block in blocks:
                for name in ("Diagnostic-Code", "Status"):
                    value = decode_header_value(block.get(name))
                    if value and not diagnostic:
                        diagnostic = value
        elif content_type in {"message/rfc822", "text/rfc822-headers"} and not original:
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                original = (message_ids_in(decode_header_value(payload[0].get("Message-ID"))) or [""])[0]
            else:
                raw = part.get_payload(decode=True)
                text = decode_bytes(raw, None) if isinstance(raw, bytes) else str(payload)
                match = re.search(r"^Message-ID:\s*(<[^>]+>)", text, re.IGNORECASE | re.MULTILINE)
                original = message_ids_in(match.group(1))[0] if match else ""
    return original, diagnostic[:300]


def classify(parsed: ParsedMail, *, envelope_from: str | None) -> Verdict | None:
    """Why this mail is automatic, or None when a person wrote it."""
    content_type = parsed.message.get_content_type()
    report_type = str(parsed.message.get_param("report-type", "") or "").lower()
    null_sender = envelope_from is not None and envelope_from.strip("<> ") == ""
    sender_is_daemon = bool(_BOUNCE_SENDERS.match(parsed.from_address))
    if (content_type == "multipart/report" and report_type == "delivery-status") or (
        (null_sender or sender_is_daemon) and _BOUNCE_SUBJECTS.search(parsed.subject)
    ):
        original, diagnostic = _report_details(parsed)
        return Verdict("bounce", "Delivery status notification (bounce)", original, diagnostic)

    if is_our_address(parsed.from_address) or parsed.header("X-Connect-Support-Case"):
        return Verdict("loop", "Mail loop: this is our own mail coming back")

    auto_submitted = parsed.header("Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return Verdict("auto_reply", f"Automatic mail (Auto-Submitted: {auto_submitted[:40]})")
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        if parsed.header(name):
            return Verdict("auto_reply", f"Automatic reply ({name} header)")
    precedence = parsed.header("Precedence").lower()
    if precedence in _BULK_PRECEDENCE:
        return Verdict("auto_reply", f"Bulk or automatic mail (Precedence: {precedence})")
    if parsed.header("X-Auto-Response-Suppress").lower() in {"all", "oof"} and _AUTO_SUBJECTS.search(parsed.subject):
        return Verdict("auto_reply", "Automatic reply (out of office)")
    if parsed.header("List-Id") or parsed.header("List-Unsubscribe"):
        return Verdict("auto_reply", "Mailing-list mail (List-Id / List-Unsubscribe)")
    if _AUTO_SUBJECTS.search(parsed.subject):
        return Verdict("auto_reply", "Automatic reply (subject)")
    if null_sender or sender_is_daemon:
        return Verdict("bounce", "Mail from a mail system (null sender or MAILER-DAEMON)")
    return None
