"""The breach job: each breach is recorded once, raises the priority one step, and tells the
assignee (or the support team); runs on several machines at once never double up."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from connect_support.cases.history import CaseActor
from connect_support.cases.models import Case, CaseChange
from connect_support.cases.services import (
    MessageInput,
    case_add_requester_message,
    case_reply_as_agent,
    case_update_fields,
)
from connect_support.sla.alerts import sla_alert_mail_drain, sla_alert_mail_send
from connect_support.sla.escalation import priority_raised, sla_escalate_due
from connect_support.sla.models import CaseSla, SlaAlert
from tests.identity.fixtures import make_agent
from tests.sla.conftest import open_case

H = timedelta(hours=1)


@pytest.mark.django_db
def test_a_breach_is_recorded_escalated_and_mailed_to_the_assignee() -> None:
    agent, _ = make_agent(email="assignee@operator.test")
    make_agent(email="other@operator.test")
    case = open_case()
    case_update_fields(case=case, actor=CaseActor.agent(agent), assignee=agent)
    assert sla_escalate_due(now=case.created_at + 7 * H).escalated == 0

    report = sla_escalate_due(now=case.created_at + 8 * H + timedelta(seconds=1))

    assert report.escalated == 1
    sla = CaseSla.objects.get(case=case)
    assert sla.first_response_breached_at is not None
    assert sla.escalations == 1
    case.refresh_from_db()
    assert case.priority == Case.Priority.HIGH
    history = {change.field: change for change in CaseChange.objects.filter(case=case, actor_kind="system")}
    assert history["sla_first_response"].new == "breached"
    assert history["sla_first_response"].actor_label == "system"
    assert (history["priority"].old, history["priority"].new) == ("normal", "high")
    alert = SlaAlert.objects.get(case=case)
    assert alert.recipient == agent
    assert (alert.priority_from, alert.priority_to) == ("normal", "high")
    # The mail job was queued after commit; the periodic drain sends what is unsent.
    assert sla_alert_mail_drain() == 1
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["assignee@operator.test"]
    assert f"Case #{case.number}: first response overdue" == sent.subject
    assert "raised from normal to high" in sent.body
    assert "/console/sla/alerts/" in sent.body
    assert f"/console/cases/{case.number}/" in sent.body
    # Later runs find nothing more to do, and the mail is not sent twice.
    assert sla_escalate_due(now=case.created_at + 9 * H).escalated == 0
    assert sla_alert_mail_send(alert_id=alert.pk) == "not due"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_periodic_job_escalates_what_is_overdue_now() -> None:
    from huey.contrib.djhuey import HUEY

    from connect_support.sla.tasks import sla_escalate_task
    from tests.sla.conftest import restart_at

    agent, _ = make_agent(email="assignee@operator.test")
    case = open_case()
    case_update_fields(case=case, actor=CaseActor.agent(agent), assignee=agent)
    restart_at(case, timezone.now() - 10 * H)
    fresh = open_case(subject="Just arrived")
    periodic = {type(task).__name__: task for task in HUEY._registry.periodic_tasks}
    assert periodic[sla_escalate_task.task_class.__name__].validate_datetime(timezone.now())  # every minute
    assert sla_escalate_task.call_local() == 1
    assert CaseSla.objects.get(case=case).first_response_breached_at is not None
    assert CaseSla.objects.get(case=fresh).first_response_breached_at is None
    assert [message.to for message in mail.outbox] == [["assignee@operator.test"]]


@pytest.mark.django_db
def test_unassigned_breaches_go_to_everyone_who_works_cases() -> None:
    support, _ = make_agent(email="support@operator.test", roles=("support agent",))
    admin, _ = make_agent(email="admin@operator.test", roles=("admin",))
    make_agent(email="risk@operator.test", roles=("risk agent",))
    make_agent(email="editor@operator.test", roles=("content editor",))
    case = open_case()
    sla_escalate_due(now=case.created_at + 9 * H)
    assert set(SlaAlert.objects.filter(case=case).values_list("recipient__email", flat=True)) == {
        support.email,
        admin.email,
    }


@pytest.mark.django_db
def test_priority_never_goes_above_urgent() -> None:
    agent, _ = make_agent()
    case = open_case()
    case_update_fields(case=case, actor=CaseActor.agent(agent), priority=Case.Priority.URGENT)
    sla_escalate_due(now=case.created_at + 2 * H)
    case.refresh_from_db()
    assert case.priority == Case.Priority.URGENT
    assert not CaseChange.objects.filter(case=case, field="priority", actor_kind="system").exists()
    alert = SlaAlert.objects.get(case=case)
    assert alert.priority_to == "urgent"
    assert sla_alert_mail_drain() == 1
    assert "priority stays urgent" in mail.outbox[0].body
    assert [priority_raised(p) for p in ("low", "normal", "high", "urgent")] == ["normal", "high", "urgent", "urgent"]


@pytest.mark.django_db
def test_each_timer_breaches_on_its_own() -> None:
    agent, _ = make_agent()
    case = open_case()
    case_update_fields(case=case, actor=CaseActor.agent(agent), assignee=agent)
    case_reply_as_agent(case=case, agent=agent, body_text="Which payout?", status=Case.Status.OPEN)
    case_add_requester_message(
        case=case, author_email="robin@example.com", author_name="Robin", via="email",
        message=MessageInput(body_text="po_123"),
    )  # fmt: skip
    sla = CaseSla.objects.get(case=case)
    assert sla.next_response_due_at is not None
    assert sla_escalate_due(now=sla.next_response_due_at + timedelta(seconds=1)).escalated == 1
    assert sla_escalate_due(now=sla.resolution_due_at + timedelta(seconds=1)).escalated == 1
    sla.refresh_from_db()
    assert sla.next_response_breached_at is not None
    assert sla.resolution_breached_at is not None
    assert sla.first_response_breached_at is None  # answered in time
    assert sorted(SlaAlert.objects.filter(case=case).values_list("timer", flat=True)) == [
        "next_response",
        "resolution",
    ]
    case.refresh_from_db()
    assert case.priority == Case.Priority.URGENT  # normal → high → urgent


@pytest.mark.django_db
def test_no_breach_while_waiting_for_the_requester_or_once_solved() -> None:
    agent, _ = make_agent()
    waiting = open_case(subject="waiting")
    case_reply_as_agent(case=waiting, agent=agent, body_text="Please send the document.")
    solved = open_case(subject="solved")
    case_reply_as_agent(case=solved, agent=agent, body_text="Done.", status=Case.Status.SOLVED)
    report = sla_escalate_due(now=timezone.now() + 400 * H)
    assert report.escalated == 0
    assert not SlaAlert.objects.exists()


@pytest.mark.django_db
def test_a_failed_alert_mail_is_retried_later(settings: Any) -> None:
    agent, _ = make_agent(email="assignee@operator.test")
    case = open_case()
    case_update_fields(case=case, actor=CaseActor.agent(agent), assignee=agent)
    sla_escalate_due(now=case.created_at + 9 * H)
    alert = SlaAlert.objects.get(case=case)
    # A mail server that refuses connections (nothing listens on port 9 of loopback).
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    assert sla_alert_mail_send(alert_id=alert.pk) == "retrying"
    alert.refresh_from_db()
    assert alert.email_sent_at is None
    assert "Connection" in alert.email_error or "refused" in alert.email_error
    assert alert.email_lease_until is not None
    assert alert.email_lease_until > timezone.now()
    assert sla_alert_mail_drain() == 0  # not before its next try
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    SlaAlert.objects.filter(pk=alert.pk).update(email_lease_until=timezone.now() - timedelta(seconds=1))
    assert sla_alert_mail_drain() == 1
    sent = SlaAlert.objects.get(pk=alert.pk)
    assert sent.email_sent_at is not None
    assert sent.email_attempts == 2
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_escalate_each_breach_exactly_once() -> None:
    """Six runs at the same moment, each on its own database connection (as on six
    machines), over 40 breached cases: 40 escalations in total, one per case."""
    support, _ = make_agent(email="support@operator.test")
    cases = [open_case(subject=f"Case {n}") for n in range(40)]
    now = max(case.created_at for case in cases) + 9 * H
    runs = 6
    barrier = threading.Barrier(runs)
    results: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(sla_escalate_due(now=now).escalated)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sum(results) == 40
    assert len(results) == runs
    if connection.vendor == "postgresql":
        assert max(results) < 40, "the runs did not overlap"
    for case in cases:
        case.refresh_from_db()
        assert case.priority == Case.Priority.HIGH
        assert CaseChange.objects.filter(case=case, field="sla_first_response").count() == 1
        assert CaseChange.objects.filter(case=case, field="priority", actor_kind="system").count() == 1
    assert SlaAlert.objects.filter(recipient=support).count() == 40
    assert CaseSla.objects.filter(escalations=1).count() == 40


CHILD = """
import json, sys, time
import django
django.setup()
from datetime import datetime
from connect_support.sla.escalation import sla_escalate_due
now = datetime.fromisoformat(sys.argv[1])
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
print(json.dumps(sla_escalate_due(now=now).escalated))
"""


@pytest.mark.django_db(transaction=True)
def test_runs_in_separate_processes_and_threads_escalate_each_breach_once() -> None:
    """Four processes (as on four machines) and three threads start the job at the same
    instant against the same PostgreSQL database."""
    if connection.vendor != "postgresql":
        pytest.skip("several processes share one database only on PostgreSQL")
    make_agent(email="support@operator.test")
    cases = [open_case(subject=f"Case {n}") for n in range(80)]
    now = max(case.created_at for case in cases) + 9 * H
    name = connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    env.pop("TEST_DATABASE_NAME", None)
    start_at = time.time() + 6
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, now.isoformat(), str(start_at)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results: list[int] = []

    def run() -> None:
        try:
            time.sleep(max(0.0, start_at - time.time()))
            results.append(sla_escalate_due(now=now).escalated)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        results.append(int(out.strip().splitlines()[-1]))
    assert len(results) == 7
    assert sum(1 for handled in results if handled) >= 2, results  # the runs overlapped
    assert sum(results) == 80
    assert CaseSla.objects.filter(escalations=1).count() == 80
    assert CaseChange.objects.filter(field="sla_first_response").count() == 80
    assert Case.objects.filter(priority=Case.Priority.HIGH).count() == 80
