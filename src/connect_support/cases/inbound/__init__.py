"""Inbound mail: received raw (SMTP, ESP webhooks, the MTA pipe), parsed, classified,
threaded into cases or quarantined with a reason."""
