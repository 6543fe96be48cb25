"""Platforms, their API keys and branding, connected accounts, their representatives,
and the one rule that decides whether the operator supports an account."""
