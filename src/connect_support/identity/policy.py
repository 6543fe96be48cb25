"""The numbers behind sign-in: lifetimes, tries and rate limits, kept in one place.

``docs/security.md`` quotes them; change both together.
"""

from __future__ import annotations

from dataclasses import dataclass

# One-time codes sent by SMS.
CODE_DIGITS = 6
CODE_TTL_SECONDS = 10 * 60
CODE_MAX_ATTEMPTS = 5
CODE_RESEND_COOLDOWN_SECONDS = 30
CODE_MAX_SENDS = 4  # the first text and three resends per challenge
# Between a correct code and choosing which of several businesses to sign into.
VERIFIED_CHOICE_TTL_SECONDS = 5 * 60

# Sessions, for agents and account users alike.
SESSION_IDLE_SECONDS = 30 * 60
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
# Activity is written at most this often, so that browsing does not write on every request.
SESSION_TOUCH_SECONDS = 60

# Step-up: sensitive component actions need an authentication at most this old.
STEP_UP_MAX_AGE_SECONDS = 10 * 60

# Hand-off from an authenticated component to the support site.
HANDOFF_TTL_SECONDS = 60

# Agents: the password step is good for this long while the second factor is asked.
AGENT_PENDING_TTL_SECONDS = 5 * 60
RECOVERY_CODE_COUNT = 10


@dataclass(frozen=True)
class Limit:
    """At most ``count`` events per ``window`` seconds for one key of a scope."""

    scope: str
    count: int
    window: int


CODE_REQUESTS_PER_IP = Limit("code-ip", 20, 15 * 60)
CODE_REQUESTS_PER_IDENTIFIER = Limit("code-identifier", 5, 15 * 60)
CODE_REQUESTS_PER_PHONE = Limit("code-phone", 5, 15 * 60)
CODE_REQUESTS_PER_ACCOUNT = Limit("code-account", 10, 60 * 60)
CODE_CHECKS_PER_IP = Limit("code-check-ip", 50, 15 * 60)
AGENT_PASSWORD_FAILURES_PER_USERNAME = Limit("agent-password-user", 10, 15 * 60)
AGENT_PASSWORD_FAILURES_PER_IP = Limit("agent-password-ip", 30, 15 * 60)
AGENT_SECOND_FACTOR_FAILURES_PER_USER = Limit("agent-2fa-user", 10, 15 * 60)
HANDOFF_REDEEMS_PER_IP = Limit("handoff-ip", 30, 15 * 60)
