"""Managed risk: interventions on connected accounts (pauses, reserves, offboarding), the
answers accounts give in the notification banner, risk agents' decisions, the effects on
the account's capabilities and payouts, and the co-branded emails that tell the account."""
