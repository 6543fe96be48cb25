"""Addresses and identifiers of case mail: the reply address that carries a case's token,
Message-IDs, the ``[#number]`` subject tag, and private links to a thread.

The reply address is ``<local>+<token>@<MAIL_DOMAIN>`` (``support+k3j…@help.example``):
any MTA that delivers ``support@`` also delivers its sub-addresses, and the token is
random, so knowing one case's address reveals nothing about another.
"""

from __future__ import annotations

import re
import secrets
import string
from email.utils import formataddr, getaddresses, parseaddr

from django.conf import settings
from django.core import signing

_TOKEN_ALPHABET = string.ascii_lowercase + string.digits
_TOKEN_LENGTH = 20  # 36**20 ≈ 2**103; lower case because mail systems may fold case
SUBJECT_TAG = re.compile(r"\[#(\d{1,12})\]")
_MESSAGE_ID = re.compile(r"<([^<>\s]{1,250})>")
PRIVATE_LINK_SALT = "connect_support.cases.private-link"


def new_reply_token() -> str:
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(_TOKEN_LENGTH))


def support_local_part() -> str:
    return str(getattr(settings, "SUPPORT_EMAIL_LOCAL_PART", "support"))


def mail_domain() -> str:
    return str(settings.MAIL_DOMAIN).lower()


def support_address() -> str:
    return f"{support_local_part()}@{mail_domain()}"


def reply_address(token: str) -> str:
    return f"{support_local_part()}+{token}@{mail_domain()}"


def from_header() -> str:
    """``Operator <support@domain>``: the name of ``DEFAULT_FROM_EMAIL`` with our address."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((name or settings.OPERATOR_NAME, address or support_address()))


def reply_to_header(token: str) -> str:
    name, _address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((name or settings.OPERATOR_NAME, reply_address(token)))


def token_from_address(address: str) -> str | None:
    """The case token in ``support+<token>@MAIL_DOMAIN``, or None for any other address."""
    local, _at, domain = address.strip().strip("<>").rpartition("@")
    if domain.lower() != mail_domain():
        return None
    base, plus, token = local.partition("+")
    if not plus or base.lower() != support_local_part().lower():
        return None
    token = token.lower()
    if len(token) != _TOKEN_LENGTH or any(c not in _TOKEN_ALPHABET for c in token):
        return None
    return token


def is_our_address(address: str) -> bool:
    """Our support address or one of its sub-addresses: mail *from* these is a loop."""
    local, _at, domain = address.strip().strip("<>").rpartition("@")
    if domain.lower() != mail_domain():
        return False
    return local.partition("+")[0].lower() == support_local_part().lower()


def new_message_id() -> str:
    """A Message-ID (without brackets) in our mail domain, unguessable."""
    return f"{secrets.token_urlsafe(18)}@{mail_domain()}"


def bracketed(message_id: str) -> str:
    return f"<{message_id}>"


def message_ids_in(header_value: str | None) -> list[str]:
    """Message-IDs in an In-Reply-To or References header, in order, without brackets."""
    if not header_value:
        return []
    found = _MESSAGE_ID.findall(str(header_value))
    if not found:
        bare = str(header_value).strip()
        return [bare] if bare and " " not in bare and len(bare) <= 250 else []
    return found


def addresses_in(*header_values: str | None) -> list[str]:
    """Lower-cased bare addresses in address headers (To, Cc, Delivered-To …)."""
    values = [str(value) for value in header_values if value]
    return [address.lower() for _name, address in getaddresses(values) if "@" in address]


def subject_tag(number: int) -> str:
    return f"[#{number}]"


def tagged_subject(number: int, subject: str) -> str:
    tag = subject_tag(number)
    return subject if tag in subject else f"{subject} {tag}"


def number_in_subject(subject: str) -> int | None:
    match = SUBJECT_TAG.search(subject or "")
    return int(match.group(1)) if match else None


def private_link_token(*, case_id: str, link_version: int) -> str:
    return signing.dumps({"c": case_id, "v": link_version}, salt=PRIVATE_LINK_SALT, compress=False)


def private_link_read(token: str) -> tuple[str, int] | None:
    """The (case id, link version) a private-link token names, or None if it was forged."""
    if not token or len(token) > 200:
        return None
    try:
        value = signing.loads(token, salt=PRIVATE_LINK_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("c"), str) or not isinstance(value.get("v"), int):
        return None
    return value["c"], value["v"]
