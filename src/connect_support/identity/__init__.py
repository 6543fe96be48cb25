"""Who is asking, and what they may reach.

Owns: SMS one-time codes and their backends (``sms/``), support-site sessions for account
users, hand-off tokens from components, agents' passwords, TOTP and recovery codes, the
sign-in sessions and their limits (``middleware``), the audit trail of access, the rate
limits, the security-header helpers, and the one authorization layer (``access``) that
every read of account-owned data goes through. See ``docs/security.md``.
"""
