"""Background jobs of SLAs: the breach job every minute, and alert mail.

The periodic job runs in every job consumer, on every machine; ``escalation`` makes each
breach handled once however many runs overlap."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from connect_support.sla.alerts import sla_alert_mail_drain, sla_alert_mail_send
from connect_support.sla.escalation import sla_escalate_due


def _escalate() -> int:
    report = sla_escalate_due()
    sla_alert_mail_drain()
    return report.escalated


def _mail(alert_id: int) -> str:
    return sla_alert_mail_send(alert_id=alert_id)


# huey's decorators are untyped; applying them as calls keeps the functions above typed.
# Retries are not huey's: the alert row keeps its attempts and the periodic job retries.
sla_escalate_task = db_periodic_task(crontab(minute="*"))(_escalate)
sla_alert_mail_task = db_task()(_mail)
