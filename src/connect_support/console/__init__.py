"""The agents' console. For now: signing in (password, TOTP, enrollment, recovery codes),
signing out, a home that shows who is signed in, and the dev outbox."""
