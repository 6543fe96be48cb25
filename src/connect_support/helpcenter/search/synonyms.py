"""The words business owners use, mapped to the words our articles use.

Keys and values are phrases as tuples of lowercase words. A key matches the visitor's
words; its values are searched as alternatives of the same concept. Stemming is left to
the search engine (``disputes`` finds ``dispute``), so plurals need no entry here.
"""

from __future__ import annotations


def _phrases(*texts: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(text.split()) for text in texts)


_TABLE: dict[str, tuple[str, ...]] = {
    # Disputes
    "chargeback": ("dispute",),
    "chargebacks": ("dispute",),
    "charge back": ("chargeback", "dispute"),
    "charged back": ("chargeback", "dispute"),
    "pulled back": ("chargeback", "dispute"),
    "reversed": ("dispute", "chargeback"),
    "reversal": ("dispute", "chargeback"),
    "contested": ("dispute",),
    "contest": ("dispute",),
    "claim": ("dispute",),
    "claims": ("dispute",),
    "proof": ("evidence",),
    "retrieval request": ("inquiry",),
    "not recognise": ("inquiry", "dispute"),
    "not recognize": ("inquiry", "dispute"),
    # Refunds
    "money back": ("refund",),
    "give back": ("refund",),
    "pay back": ("refund",),
    "reimburse": ("refund",),
    "reimbursement": ("refund",),
    "return": ("refund",),
    "returned": ("refund",),
    "returns": ("refund",),
    "undo": ("cancel", "refund"),
    # Reserves and risk
    "hold": ("reserve",),
    "holding": ("reserve",),
    "held": ("reserve",),
    "on hold": ("reserve", "paused"),
    "withheld": ("reserve",),
    "withhold": ("reserve",),
    "withholding": ("reserve",),
    "frozen": ("reserve", "paused"),
    "freeze": ("reserve", "paused"),
    "locked": ("reserve", "paused"),
    "retained": ("reserve",),
    "kept back": ("reserve",),
    "collateral": ("reserve",),
    "review": ("risk review",),
    "under review": ("risk review",),
    # Payouts
    "bank transfer": ("payout",),
    "bank transfers": ("payout",),
    "transfer": ("payout",),
    "transfers": ("payout",),
    "deposit": ("payout",),
    "deposits": ("payout",),
    "deposited": ("payout",),
    "get paid": ("payout",),
    "paid out": ("payout",),
    "withdraw": ("payout",),
    "withdrawal": ("payout",),
    "cash out": ("payout",),
    "settlement": ("payout",),
    "settlements": ("payout",),
    "funds": ("payout", "balance"),
    "bounced": ("failed",),
    "late": ("delayed", "missing"),
    "delayed": ("late", "missing"),
    "arrive": ("arrive", "missing"),
    "arrived": ("missing",),
    "received": ("missing",),
    "bank": ("bank account",),
    "iban": ("bank account",),
    "routing number": ("bank account",),
    "sort code": ("bank account",),
    "bank details": ("bank account", "payout details"),
    "owe": ("negative balance",),
    "debt": ("negative balance",),
    "minus": ("negative balance",),
    # Verification
    "kyc": ("verification", "identity"),
    "kyb": ("verification", "business"),
    "id": ("identity", "document"),
    "identification": ("identity", "document"),
    "passport": ("identity document",),
    "driving licence": ("identity document",),
    "driver license": ("identity document",),
    "drivers license": ("identity document",),
    "licence": ("identity document",),
    "license": ("identity document",),
    "selfie": ("identity", "photo"),
    "photo": ("document",),
    "utility bill": ("address", "document"),
    "proof of address": ("address verification",),
    "ein": ("tax id",),
    "vat": ("tax id",),
    "ssn": ("tax id", "identity"),
    "prove": ("verify",),
    "confirm": ("verify",),
    # Declines and fraud
    "declined": ("decline",),
    "rejected": ("decline", "rejected"),
    "refused": ("decline",),
    "denied": ("decline",),
    "go through": ("decline",),
    "went through": ("decline",),
    "failed payment": ("decline",),
    "not working": ("decline",),
    "stolen": ("fraud",),
    "scam": ("fraud", "phishing"),
    "scammer": ("fraud", "phishing"),
    "fake": ("fraud",),
    "fraudulent": ("fraud",),
    "suspicious": ("fraud", "suspicious"),
    "hacked": ("suspicious", "security"),
    "hacker": ("suspicious", "security"),
    "unauthorized": ("fraud", "suspicious"),
    "unauthorised": ("fraud", "suspicious"),
    "bots": ("card testing",),
    "bot": ("card testing",),
    "tiny": ("card testing",),
    "small charges": ("card testing",),
    "3ds": ("3d secure",),
    "sca": ("3d secure",),
    # Payments
    "cost": ("fees",),
    "costs": ("fees",),
    "price": ("fees",),
    "pricing": ("fees",),
    "charge me": ("fees",),
    "commission": ("fees",),
    "how much do you take": ("fees",),
    "take from each sale": ("fees",),
    "foreign": ("currency",),
    "exchange rate": ("currency conversion",),
    "conversion": ("currency conversion",),
    "apple pay": ("payment methods", "wallets"),
    "google pay": ("payment methods", "wallets"),
    "wallet": ("payment methods",),
    "accept": ("payment methods",),
    "descriptor": ("statement descriptor",),
    "statement": ("statement descriptor",),
    # Account, legal, privacy
    "login": ("sign in",),
    "log in": ("sign in",),
    "logging in": ("sign in",),
    "signin": ("sign in",),
    "password": ("sign in", "code"),
    "otp": ("code",),
    "sms": ("code", "text message"),
    "text": ("code", "text message"),
    "phone number": ("phone",),
    "new phone": ("lost phone",),
    "cancel": ("close", "cancel"),
    "delete account": ("close account",),
    "shut down": ("close account",),
    "quit": ("close account",),
    "leave": ("close account",),
    "terms": ("terms of service",),
    "tos": ("terms of service",),
    "contract": ("terms of service",),
    "agreement": ("terms of service",),
    "prohibited": ("restricted",),
    "banned": ("restricted",),
    "not allowed": ("restricted",),
    "allowed": ("restricted",),
    "complain": ("complaint",),
    "appeal": ("appeal", "offboarding"),
    "terminated": ("offboarding", "closed"),
    "kicked off": ("offboarding",),
    "gdpr": ("privacy", "personal data"),
    "my data": ("personal data",),
    "information you have": ("personal data",),
    "personal information": ("personal data",),
    "erase": ("delete", "personal data"),
    "forget": ("delete", "personal data"),
    "share": ("share", "personal data"),
    "sell": ("share", "personal data"),
    "cookies": ("privacy",),
    "not enough money": ("insufficient funds",),
    "enough money": ("insufficient funds",),
    "taxes": ("tax",),
    "1099": ("tax",),
}

SYNONYMS: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {
    tuple(key.split()): _phrases(*values) for key, values in _TABLE.items()
}

# Words that carry no meaning in a question. Kept short on purpose: "not", "why" and
# "when" are stop words, but "late", "failed" or "missing" carry the question.
STOP_WORDS = frozenset(
    """
    a about after again all am an and any are as at be been before being but by can cannot
    could did do does doing done for from get gets getting got had has have having he her
    here hers him his how i if in into is it its itself just me might more most much must
    my myself need needs no nor not now of off on once only or other our ours out over own
    please same she should so some still such than that the their theirs them then there
    these they this those through to too under until up us very was we were what whats
    when where which while who whom why will with would you your yours yourself s t d ll m
    re ve isnt dont doesnt didnt cant wont wasnt arent havent hasnt hadnt shouldnt couldnt
    ive im youre theyre thats whos hows whys anyone someone something anything thing things
    help want wanted know tell happen happened happens happening mean means way ways also
    le la les de des du un une et est en au aux pour par sur dans je mon ma mes ne pas
    pourquoi comment quand que qui quoi est ce cette ces il elle nous vous ils elles on
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
