"""Signed, retried deliveries of events to platforms: webhook endpoints, events, and the
delivery log. Signatures follow Stripe's scheme (``Stripe-Signature: t=…,v1=…``, HMAC-SHA256
of ``"{t}.{body}"``), so the official SDKs' ``Webhook.construct_event`` verifies them."""
