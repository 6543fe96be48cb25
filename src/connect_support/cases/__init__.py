"""Email cases: cases, their messages and attachments, outbound mail from a transactional
outbox, inbound mail (SMTP receiver, ESP webhooks, MTA pipe) threaded into cases, and the
support-site pages where account users open and follow their cases."""
