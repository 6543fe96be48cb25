"""The audit log in the console: one list of sign-ins, role changes, case and chat
changes, exports; filters, cursor pages, the CSV export (itself audited)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import httpx
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from connect_support.cases.history import CaseActor
from connect_support.cases.models import Case, CaseChange
from connect_support.cases.services import MessageInput, case_create, case_set_status, case_update_fields
from connect_support.chat.items import notice_append
from connect_support.chat.models import Conversation
from connect_support.identity.agents import agent_role_grant
from connect_support.identity.audit import AuditKind, audit_record
from connect_support.identity.models import AuditEvent
from tests.chat.support import agent_session
from tests.factories import make_account, platform_with_keys
from tests.identity.fixtures import make_agent

pytestmark = pytest.mark.django_db


def _signed_in(client: Client, user: User) -> Client:
    client.cookies[settings.SESSION_COOKIE_NAME] = agent_session(user)
    return client


@pytest.fixture
def admin() -> User:
    return make_agent(email="admin@operator.test", roles=("admin",))[0]


@pytest.fixture
def admin_client(client: Client, admin: User) -> Client:
    return _signed_in(client, admin)


def _case(agent: User) -> Case:
    platform = platform_with_keys().platform
    account = make_account(platform)
    case = case_create(
        requester_email="robin@shop.example",
        requester_name="Robin",
        subject="Where is my payout?",
        message=MessageInput(body_text="Hello"),
        channel=Case.Channel.WEB,
        account=account,
    ).case
    case_set_status(case=case, status=Case.Status.SOLVED, actor=CaseActor.agent(agent))
    return case


def _table(page: str) -> str:
    """The listed entries only (the kind filter's options name every kind too)."""
    return page.split("<tbody>")[1].split("</tbody>", maxsplit=1)[0] if "<tbody>" in page else ""


def _rows(page: str) -> int:
    return _table(page).count("<tr>")


def test_sign_ins_role_changes_case_and_chat_changes_are_listed(admin_client: Client, admin: User) -> None:
    riley, _ = make_agent(email="riley@operator.test", roles=("support agent",))
    agent_role_grant(actor=admin, agent=riley, role="risk agent")
    case = _case(admin)
    now = timezone.now()
    conversation = Conversation.objects.create(
        account_id=case.account_id, requester_key="x:-", created_at=now, queued_at=now, last_activity_at=now
    )
    notice_append(conversation_id=conversation.pk, code="ended", text="The chat ended.", now=now, data={"by": "agent"})
    page = _table(admin_client.get("/console/audit/").content.decode())
    assert "Signed in" in page
    assert "Role granted: risk agent" in page
    assert f"Case changed #{case.number}: status new → solved" in page
    assert "Chat started" in page
    assert "Chat ended" in page
    assert conversation.pk in page


def test_filters_by_kind_actor_subject_text_and_dates(admin_client: Client, admin: User) -> None:
    case = _case(admin)
    old = audit_record(kind=AuditKind.AGENT_SIGN_IN, actor=admin, subject=admin, detail={"method": "password+totp"})
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=40))
    only_cases = _table(admin_client.get("/console/audit/", {"kind": "case.changed"}).content.decode())
    assert f"#{case.number}: status" in only_cases
    assert "Signed in" not in only_cases
    by_subject = admin_client.get("/console/audit/", {"subject": str(case.number)}).content.decode()
    assert _rows(by_subject) == 2  # the status, and when it was solved
    by_actor = admin_client.get("/console/audit/", {"actor": "nobody@else"}).content.decode()
    assert "Nothing in the audit log matches" in by_actor
    by_text = admin_client.get("/console/audit/", {"text": "solved", "kind": "case.changed"}).content.decode()
    assert _rows(by_text) == 2
    assert _rows(admin_client.get("/console/audit/", {"text": "password+totp"}).content.decode()) == 2
    since = (timezone.now() - timedelta(days=41)).date().isoformat()
    until = (timezone.now() - timedelta(days=39)).date().isoformat()
    dated = admin_client.get("/console/audit/", {"since": since, "until": until}).content.decode()
    assert _rows(dated) == 1
    assert "Signed in" in _table(dated)


def test_keyset_pages_cover_everything_once_in_order(admin_client: Client, admin: User) -> None:
    base = timezone.now() - timedelta(hours=1)
    for number in range(120):
        event = audit_record(kind=AuditKind.ROLE_GRANTED, actor=admin, subject=admin, detail={"role": f"r{number}"})
        # Ties on the time are broken by id: pages must neither repeat nor skip them.
        AuditEvent.objects.filter(pk=event.pk).update(at=base + timedelta(seconds=number // 3))
    seen: list[str] = []
    url = "/console/audit/?kind=agent.role_granted"
    pages = 0
    while url:
        response = admin_client.get(url)
        page = response.content.decode()
        seen += [f"r{n}" for n in range(120) if f"Role granted: r{n}<" in _table(page)]
        marker = 'rel="next"'
        url = ""
        if marker in page:
            href = page.split(marker)[0].rsplit('href="', 1)[1].split('"')[0]
            url = "/console/audit/" + href.replace("&amp;", "&")
        pages += 1
    assert pages == 3
    assert sorted(seen, key=lambda r: int(r[1:]), reverse=True) == [f"r{n}" for n in range(119, -1, -1)]
    assert len(seen) == len(set(seen)) == 120


def test_pages_of_events_and_case_changes_interleave_without_loss(admin_client: Client, admin: User) -> None:
    case = _case(admin)
    CaseChange.objects.all().delete()
    AuditEvent.objects.all().delete()
    base = timezone.now() - timedelta(hours=2)
    for number in range(70):
        at = base + timedelta(seconds=number)
        if number % 3:
            event = audit_record(kind=AuditKind.ROLE_GRANTED, actor=admin, subject=admin, detail={"role": f"r{number}"})
            AuditEvent.objects.filter(pk=event.pk).update(at=at)
        else:
            CaseChange.objects.create(
                case=case, at=at, actor_kind="agent", actor_user=admin, field="priority", old="low", new=f"r{number}"
            )
    labels: list[str] = []
    url = "/console/audit/"
    while url:
        page = admin_client.get(url).content.decode()
        labels += re.findall(r"(?:Role granted: |→ )(r\d+)<", _table(page))
        found = re.search(r'href="([^"]+)" rel="next"', page)
        url = "/console/audit/" + found.group(1).replace("&amp;", "&") if found else ""
    assert labels == [f"r{n}" for n in range(69, -1, -1)]


def test_bad_filters_and_cursors_get_clear_answers(admin_client: Client) -> None:
    response = admin_client.get("/console/audit/", {"since": "2026-05-02", "until": "2026-05-01"})
    assert response.status_code == 400
    assert "The end date comes before the start date." in response.content.decode()
    response = admin_client.get("/console/audit/", {"since": "yesterday"})
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()
    response = admin_client.get("/console/audit/", {"after": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert "That page link is not valid any more" in response.content.decode()
    assert "<script>alert(1)" not in response.content.decode()
    response = admin_client.get("/console/audit/", {"kind": "made.up"})
    assert response.status_code == 400


@pytest.mark.parametrize("roles", [("support agent",), ("risk agent", "content editor")])
def test_only_admins_see_the_audit_log(client: Client, roles: tuple[str, ...]) -> None:
    user, _ = make_agent(email="someone@operator.test", roles=roles)
    _signed_in(client, user)
    assert client.get("/console/audit/").status_code == 403
    assert client.get("/console/audit/export.csv").status_code == 403
    assert "Audit</a>" not in client.get("/console/me/").content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    assert client.get("/console/audit/")["Location"].startswith("/console/login/")


@pytest.mark.django_db(transaction=True)
def test_the_csv_export_streams_filtered_rows_and_is_audited(live_url: str, admin: User) -> None:
    case = _case(admin)
    audit_record(kind=AuditKind.ROLE_GRANTED, actor=admin, subject=admin, subject_label="=HYPERLINK(1)")
    cookies = {settings.SESSION_COOKIE_NAME: agent_session(admin)}
    with httpx.Client(base_url=live_url, cookies=cookies) as http:
        with http.stream("GET", "/console/audit/export.csv", params={"kind": "case.changed"}) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/csv")
            assert "attachment" in response.headers["content-disposition"]
            body = b"".join(response.iter_bytes()).decode()
        rows = list(csv.DictReader(io.StringIO(body)))
        assert [row["kind"] for row in rows] == ["case.changed", "case.changed"]
        assert f"Case changed #{case.number}: status new → solved" in {row["event"] for row in rows}
        everything = http.get("/console/audit/export.csv").text
    assert "'=HYPERLINK(1)" in everything
    exported = AuditEvent.objects.filter(kind="audit.exported").order_by("at")
    assert [event.detail["filters"] for event in exported] == [{"kind": "case.changed"}, {}]
    assert all(event.actor == admin for event in exported)


def test_a_page_costs_the_same_queries_for_5_or_50_rows(admin_client: Client, admin: User) -> None:
    case = _case(admin)
    case_update_fields(case=case, actor=CaseActor.agent(admin), assignee=admin)
    admin_client.get("/console/audit/")  # warm the session

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get("/console/audit/").status_code == 200
        return len(captured)

    few = queries()
    for number in range(30):
        someone, _ = make_agent(email=f"a{number}@operator.test", roles=("support agent",))
        case_update_fields(case=case, actor=CaseActor.agent(someone), assignee=someone)
    assert queries() == few
