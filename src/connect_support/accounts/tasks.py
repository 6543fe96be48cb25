"""Background job of accounts: restrict accounts whose requirement deadline passed.

Safe on several machines at once: each account is re-checked under a row lock."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from connect_support.accounts.services import account_deadlines_enforce


def _enforce() -> int:
    return account_deadlines_enforce()


# huey's decorators are untyped; applying them as a call keeps the function above typed.
accounts_deadlines_task = db_periodic_task(crontab(minute="*/5"))(_enforce)
