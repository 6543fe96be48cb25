"""Jobs of webhooks: send one delivery after commit; every minute, send whatever is due
(retries and deliveries whose job was lost). Rows are claimed with a lease, so several
workers never send the same delivery at once."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from connect_support.webhooks.services import webhook_deliveries_drain, webhook_delivery_send


def _send(delivery_id: str) -> str:
    return webhook_delivery_send(delivery_id=delivery_id)


def _sweep() -> None:
    webhook_deliveries_drain(limit=1000)


# huey's decorators are untyped; applying them as calls keeps the functions above typed.
webhook_delivery_send_task = db_task()(_send)
webhooks_sweep_task = db_periodic_task(crontab(minute="*"))(_sweep)
