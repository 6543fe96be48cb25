"""Reading a received message as well as it can be read.

Real mail is often wrong: missing or mislabelled charsets, raw 8-bit bytes in headers,
broken base64, truncated multiparts. The parser here never raises on such input: it uses
the lenient ``compat32`` parser, decodes every header and part itself (declared charset,
then UTF-8, then Windows-1252) and records what it had to guess in ``problems``.
"""

from __future__ import annotations

import codecs
import email
import email.header
import email.message
import email.policy
from dataclasses import dataclass, field
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from connect_support.cases.addresses import addresses_in, message_ids_in
from connect_support.cases.services import IncomingFile

_CHARSET_ALIASES = {"unknown-8bit": None, "x-unknown": None, "unknown": None, "x-user-defined": None, "utf8": "utf-8"}
_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "hr"}


class UnreadableMailError(ValueError):
    """The bytes are not a mail message at all."""


@dataclass
class ParsedMail:
    message: email.message.Message
    from_address: str
    from_name: str
    subject: str
    message_id: str
    in_reply_to: list[str]
    references: list[str]
    recipients: list[str]
    text: str
    html: str
    attachments: list[IncomingFile] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def header(self, name: str) -> str:
        return decode_header_value(self.message.get(name))


def _charset(declared: str | None) -> str | None:
    if not declared:
        return None
    name = declared.strip().strip('"').lower()
    if name in _CHARSET_ALIASES:
        return _CHARSET_ALIASES[name]
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, declared: str | None, problems: list[str] | None = None) -> str:
    """Text from bytes: the declared charset if it works, else UTF-8, else Windows-1252."""
    charset = _charset(declared)
    if charset:
        try:
            return data.decode(charset)
        except (UnicodeDecodeError, LookupError):
            if problems is not None:
                problems.append(f"text was not valid {declared}; read it as UTF-8 or Windows-1252")
    elif declared and problems is not None:
        problems.append(f"unknown charset {declared!r}; read the text as UTF-8 or Windows-1252")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def decode_header_value(value: object) -> str:
    """A header as text: RFC 2047 encoded words decoded, raw 8-bit bytes read as UTF-8 (or
    Windows-1252), folded lines joined."""
    if value is None:
        return ""
    if isinstance(value, email.header.Header):
        parts = email.header.decode_header(value)
    else:
        raw = str(value)
        if any("\udc80" <= char <= "\udcff" for char in raw):
            raw = decode_bytes(raw.encode("ascii", "surrogateescape"), None)
        try:
            parts = email.header.decode_header(raw)
        except (ValueError, LookupError, AssertionError):
            return " ".join(raw.split())
    text = "".join(decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk for chunk, charset in parts)
    return " ".join(text.split())


class _TextFromHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "head", "title"}:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "head", "title"}:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def text_from_html(html: str) -> str:
    parser = _TextFromHtml()
    try:
        parser.feed(html)
        parser.close()
    except (ValueError, AssertionError):
        return ""
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


def _filename(part: email.message.Message) -> str:
    raw = part.get_param("filename", None, "content-disposition") or part.get_param("name", None, "content-type")
    if raw is None:
        return ""
    if isinstance(raw, tuple):  # RFC 2231: (charset, language, value)
        return decode_bytes(email.utils.collapse_rfc2231_value(raw).encode("latin-1", "replace"), raw[0])
    return decode_header_value(raw)


def _payload(part: email.message.Message, problems: list[str]) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, TypeError, AssertionError):
        problems.append("a part's transfer encoding was broken; kept it as it came")
        raw = part.get_payload()
        return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    return payload if isinstance(payload, bytes) else b""


def _walk(message: email.message.Message, parsed: ParsedMail) -> None:
    texts: list[str] = []
    inline_images = 0
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        filename = _filename(part)
        is_body_text = content_type in {"text/plain", "text/html"} and disposition != "attachment" and not filename
        if is_body_text:
            text = decode_bytes(_payload(part, parsed.problems), part.get_content_charset(), parsed.problems)
            if content_type == "text/plain":
                texts.append(text)
            elif not parsed.html:
                parsed.html = text
            continue
        if content_type.startswith("multipart/") or content_type in {"message/delivery-status"}:
            continue
        if disposition != "attachment" and part.get("Content-ID") and content_type.startswith("image/"):
            inline_images += 1  # logos and pictures inside an HTML body
            continue
        if content_type in {"message/rfc822", "text/rfc822-headers"} and not filename:
            continue
        data = _payload(part, parsed.problems)
        parsed.attachments.append(
            IncomingFile(filename=filename or f"attachment-{len(parsed.attachments) + 1}", content=data)
        )
    parsed.text = "\n\n".join(text.strip() for text in texts if text.strip())
    if inline_images:
        parsed.problems.append(f"{inline_images} picture(s) inside the HTML body were not kept")


def parse_mail(raw: bytes) -> ParsedMail:
    """The message's sender, subject, ids, text, HTML and attachments."""
    if not raw.strip():
        raise UnreadableMailError("the message is empty")
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    if not message.keys():
        raise UnreadableMailError("the message has no headers")
    problems: list[str] = [f"MIME problem: {type(defect).__name__}" for defect in message.defects][:5]
    from_value = decode_header_value(message.get("From"))
    name, address = parseaddr(from_value)
    if "@" not in address:
        found = [(n, a) for n, a in getaddresses([from_value]) if "@" in a]
        name, address = found[0] if found else ("", "")
    recipients = addresses_in(
        *(
            decode_header_value(value)
            for name_ in ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
            for value in message.get_all(name_, [])
        )
    )
    parsed = ParsedMail(
        message=message,
        from_address=address.strip().lower()[:254],
        from_name=name.strip()[:200],
        subject=decode_header_value(message.get("Subject"))[:1000],
        message_id=(message_ids_in(decode_header_value(message.get("Message-ID"))) or [""])[0],
        in_reply_to=message_ids_in(decode_header_value(message.get("In-Reply-To"))),
        references=message_ids_in(decode_header_value(message.get("References"))),
        recipients=recipients,
        text="",
        html="",
        problems=problems,
    )
    _walk(message, parsed)
    if not parsed.text and parsed.html:
        parsed.text = text_from_html(parsed.html)
    return parsed
