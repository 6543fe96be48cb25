"""The inbox at /console/: queues, counts, filters, keyset pages, permissions, escaping,
and a bounded number of queries however many rows a page shows."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from connect_support.accounts.models import ConnectedAccount, Platform
from connect_support.cases.models import Case
from connect_support.cases.services import MessageInput, case_create
from connect_support.chat.models import Conversation
from tests.factories import PlatformFactory, make_account
from tests.identity.fixtures import AGENT_PASSWORD, make_agent

pytestmark = pytest.mark.django_db


def sign_in(client: Client, user: User, secret: str) -> Client:
    client.post("/console/login/", {"email": user.email, "password": AGENT_PASSWORD})
    client.post("/console/login/verify/", {"code": pyotp.TOTP(secret).at(timezone.now() - timedelta(seconds=30))})
    return client


@pytest.fixture
def agent(client: Client) -> tuple[User, Client]:
    user, secret = make_agent(roles=("support agent",))
    return user, sign_in(client, user, secret)


def open_case(
    subject: str = "My payout did not arrive",
    *,
    body: str = "Hello, the payout of last week is missing.",
    email: str = "robin@business.example",
    name: str = "Robin Owner",
    account: ConnectedAccount | None = None,
    **fields: Any,
) -> Case:
    """A case opened the way the support site opens one, then given ``fields``."""
    source = fields.pop("source_context", None)
    case = case_create(
        requester_email=email,
        requester_name=name,
        subject=subject,
        message=MessageInput(body_text=body),
        channel=fields.pop("channel", Case.Channel.WEB),
        topic=fields.pop("topic", "payouts"),
        account=account,
        source_context=source,
        acknowledge=False,
    ).case
    if fields:
        for name_, value in fields.items():
            setattr(case, name_, value)
        case.save()
    return case


def page_of(client: Client, query: str = "") -> str:
    response = client.get("/console/" + query)
    assert response.status_code == 200
    return response.content.decode()


def test_sign_in_lands_on_the_inbox_and_the_old_home_moved(client: Client) -> None:
    user, secret = make_agent(roles=("support agent",))
    client.post("/console/login/", {"email": user.email, "password": AGENT_PASSWORD})
    response = client.post("/console/login/verify/", {"code": pyotp.TOTP(secret).now()})
    assert response["Location"] == "/console/"
    inbox = page_of(client)
    assert '<h1 class="page-title">Inbox</h1>' in inbox
    assert 'href="/console/" aria-current="page">Inbox</a>' in inbox
    assert "Welcome, Avery" in client.get("/console/me/").content.decode()


def test_an_anonymous_visitor_is_sent_to_sign_in() -> None:
    response = Client().get("/console/?queue=open")
    assert response.status_code == 302
    assert response["Location"].startswith("/console/login/?next=")


def test_the_queues_hold_what_their_names_say(agent: tuple[User, Client]) -> None:
    user, client = agent
    other, _secret = make_agent(email="sam@operator.test")
    now = timezone.now()
    open_case("Unassigned question")
    open_case("Mine to answer", assignee=user)
    open_case("Sam's case", assignee=other)
    open_case("Already solved", status=Case.Status.SOLVED)
    open_case("Due in ten minutes", first_response_due_at=now + timedelta(minutes=10))
    open_case("Overdue", resolution_due_at=now - timedelta(hours=2))
    open_case("Due tomorrow", resolution_due_at=now + timedelta(days=1))
    open_case("Answered in time", first_response_due_at=now, first_responded_at=now - timedelta(minutes=5))

    unassigned = page_of(client)  # the default queue
    assert "Unassigned question" in unassigned
    assert "Mine to answer" not in unassigned
    assert "Already solved" not in unassigned
    mine = page_of(client, "?queue=mine")
    assert "Mine to answer" in mine
    assert "Sam&#x27;s case" not in mine
    everything = page_of(client, "?queue=open")
    assert "Sam&#x27;s case" in everything
    assert "Already solved" not in everything
    breaching = page_of(client, "?queue=breaching")
    assert breaching.index("Overdue") < breaching.index("Due in ten minutes")  # nearest due first
    assert "Due tomorrow" not in breaching
    assert "Answered in time" not in breaching
    assert "Overdue 2" in breaching

    fragment = client.get("/console/?queue=open&fragment=1").json()
    assert fragment["counts"] == {"waiting": 0, "my_chats": 0, "unassigned": 5, "mine": 1, "open": 7, "breaching": 2}
    assert "Sam&#x27;s case" in fragment["list"]


def test_a_case_row_links_to_the_case_view(agent: tuple[User, Client]) -> None:
    _user, client = agent
    case = open_case()
    assert f'href="/console/cases/{case.number}/"' in page_of(client)


def test_filters_narrow_the_list_and_unknown_values_are_named(agent: tuple[User, Client]) -> None:
    _user, client = agent
    platform = PlatformFactory(name="Rocket Rides")
    account = make_account(platform)
    open_case("Refund for a ride", topic="refunds", priority=Case.Priority.HIGH, account=account)
    open_case(
        "Banner question",
        topic="verification",
        channel=Case.Channel.EMAIL,
        source_context={"source": "notification_banner.intervention", "component": "notification_banner"},
    )
    open_case("A normal one", topic="payouts")
    assert "Refund for a ride" in (high := page_of(client, "?queue=open&priority=high"))
    assert "Banner question" not in high
    assert "A normal one" not in high
    assert "Banner question" in page_of(client, "?queue=open&component=notification_banner")
    assert "A normal one" not in page_of(client, "?queue=open&component=notification_banner")
    assert "Banner question" in page_of(client, "?queue=open&channel=email&topic=verification")
    by_platform = page_of(client, f"?queue=open&platform={platform.pk}")
    assert "Refund for a ride" in by_platform
    assert "A normal one" not in by_platform
    bad = page_of(client, "?queue=open&priority=%3Cscript%3E&status=nope")
    assert "Unknown priority “&lt;script&gt;”: that filter was ignored." in bad
    assert "Unknown status “nope”" in bad
    assert "A normal one" in bad  # the rest of the page still works


def test_pages_follow_a_keyset_and_never_repeat_a_case(agent: tuple[User, Client]) -> None:
    _user, client = agent
    start = timezone.now() - timedelta(days=1)
    for index in range(60):
        case = open_case(f"Question number {index:02d}")
        # Several cases share an update time: the id breaks the tie.
        Case.objects.filter(pk=case.pk).update(updated_at=start + timedelta(minutes=index // 3))
    seen: list[str] = []
    query = "?queue=open"
    for _page in range(5):
        html = page_of(client, query)
        seen += re.findall(r"Question number (\d\d)", html)
        found = re.search(r'href="(\?[^"]+)" rel="next"', html)
        if found is None:
            break
        query = found.group(1).replace("&amp;", "&")
    assert len(seen) == 60
    assert len(set(seen)) == 60
    assert set(seen[:3]) == {"59", "58", "57"}  # the newest first


def test_a_broken_page_link_shows_the_first_page(agent: tuple[User, Client]) -> None:
    _user, client = agent
    open_case("Still here")
    html = page_of(client, "?queue=open&after=not-a-cursor%00")
    assert "That page link is no longer valid" in html
    assert "Still here" in html


def test_customer_text_is_escaped_everywhere(agent: tuple[User, Client]) -> None:
    _user, client = agent
    open_case(
        "<script>alert('subject')</script>",
        name="<img src=x onerror=alert(1)>",
        body="payout <script>alert('body')</script> missing",
    )
    for html in (page_of(client, "?queue=open"), page_of(client, "?q=payout")):
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(&#x27;subject&#x27;)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert" in page_of(client, "?q=payout")  # the snippet, escaped
    fragment = client.get("/console/?queue=open&fragment=1").json()["list"]
    assert "<script>" not in fragment


def test_chats_waiting_and_mine(agent: tuple[User, Client]) -> None:
    user, client = agent
    account = make_account(PlatformFactory(name="Rocket Rides"))
    now = timezone.now()
    common = {"account": account, "created_at": now, "last_activity_at": now, "queued_at": now}
    waiting = Conversation.objects.create(
        requester_key=f"{account.pk}:-", requester_name="Jo Waiting", first_message="Can I change my IBAN?", **common
    )
    Conversation.objects.create(
        requester_key=f"{account.pk}:p2",
        requester_name="Kim Talking",
        first_message="About my <b>reserve</b>",
        status=Conversation.Status.ACTIVE,
        agent=user,
        **common,
    )
    html = page_of(client, "?queue=waiting")
    assert "Can I change my IBAN?" in html
    assert f"/console/chats/?conversation={waiting.pk}" in html
    assert "About my" not in html
    mine = page_of(client, "?queue=my_chats")
    assert "About my &lt;b&gt;reserve&lt;/b&gt;" in mine
    counts = client.get("/console/?fragment=1").json()["counts"]
    assert counts["waiting"] == 1
    assert counts["my_chats"] == 1


def test_queues_follow_the_agents_roles(client: Client) -> None:
    user, secret = make_agent(email="rita@operator.test", roles=("risk agent",))
    sign_in(client, user, secret)
    html = page_of(client)
    assert "Your roles do not include chats or cases" in html
    assert "risk queue" in html
    assert "needs the permission &#x27;cases.work&#x27;" in page_of(client, "?queue=open")
    assert "Searching cases needs the permission" in page_of(client, "?q=payout")
    assert client.get("/console/?fragment=1").json()["counts"] == {}


def test_unknown_queue_and_huge_search_get_clear_messages(agent: tuple[User, Client]) -> None:
    _user, client = agent
    open_case("Payout question")
    assert "There is no such queue" in page_of(client, "?queue=everything")
    html = page_of(client, "?q=" + "payout%20" * 200)
    assert "Searches are cut at 200 characters." in html
    assert "Payout question" in html


def _fill(user: User, platform: Platform, start: int, stop: int) -> None:
    now = timezone.now()
    for index in range(start, stop):
        account = make_account(platform, email=f"owner{index}@business.example")
        for assignee in (user, None):
            open_case(
                f"Case {index}",
                account=account,
                assignee=assignee,
                resolution_due_at=now if assignee else None,
                source_context={"component": "account_onboarding"},
            )
        for status in (Conversation.Status.WAITING, Conversation.Status.ACTIVE):
            Conversation.objects.create(
                account=account,
                requester_key=f"{account.pk}:{status}",
                status=status,
                agent=user if status == Conversation.Status.ACTIVE else None,
                created_at=now,
                queued_at=now,
                last_activity_at=now,
            )


@pytest.mark.parametrize("queue", ["unassigned", "mine", "open", "breaching", "waiting", "my_chats"])
def test_a_page_costs_the_same_queries_with_1_or_25_rows(
    agent: tuple[User, Client], django_assert_max_num_queries: Any, queue: str
) -> None:
    user, client = agent
    platform = PlatformFactory(name="Rocket Rides")
    _fill(user, platform, 0, 1)
    with CaptureQueriesContext(connection) as one_row:
        assert page_of(client, f"?queue={queue}").count('class="inbox-row"') in {1, 2}
    # Session and agent checks, the navigation, the platforms of the filter, six counts,
    # the rows and their accounts' people: nothing per row.
    assert len(one_row) <= 24
    _fill(user, platform, 1, 30)
    with django_assert_max_num_queries(len(one_row)):
        html = page_of(client, f"?queue={queue}")
    assert html.count('class="inbox-row"') >= 25
    with django_assert_max_num_queries(len(one_row)):
        client.get(f"/console/?queue={queue}&fragment=1&component=account_onboarding")


def test_search_page_has_bounded_queries(agent: tuple[User, Client], django_assert_max_num_queries: Any) -> None:
    _user, client = agent
    open_case("Payout delayed", body="My payout is late")
    with CaptureQueriesContext(connection) as one_row:
        page_of(client, "?q=payout")
    for index in range(30):
        open_case(f"Payout delayed {index}", body=f"My payout number {index} is late")
    with django_assert_max_num_queries(len(one_row)):
        html = page_of(client, "?q=payout")
    assert html.count('class="inbox-row"') == 25  # the best matches; more words narrow them
    assert "The best 25 matches are shown" in html
    assert "<mark>payout</mark>" in html


def test_the_fragment_is_json_with_the_list_and_counts(agent: tuple[User, Client]) -> None:
    _user, client = agent
    open_case("Fresh case")
    response = client.get("/console/?fragment=1")
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert set(data) == {"counts", "list"}
    assert "Fresh case" in data["list"]


def test_breaching_soon_pages_by_deadline(agent: tuple[User, Client]) -> None:
    _user, client = agent
    now = timezone.now()
    for index in range(30):
        # Deadlines a minute apart, from 40 minutes ago to 11 minutes ago.
        open_case(
            f"Deadline case {index:02d}", resolution_due_at=now - timedelta(minutes=40) + timedelta(minutes=index)
        )
    first = page_of(client, "?queue=breaching")
    found = re.search(r'href="(\?[^"]+)" rel="next"', first)
    assert found is not None
    second = page_of(client, found.group(1).replace("&amp;", "&"))
    seen = re.findall(r"Deadline case (\d\d)", first) + re.findall(r"Deadline case (\d\d)", second)
    assert seen == [f"{index:02d}" for index in range(30)]  # nearest deadline first, none twice
    assert 'rel="next"' not in second


def test_one_transaction_sends_one_inbox_event_however_many_rows(django_capture_on_commit_callbacks: Any) -> None:
    from connect_support.console.inbox_live import _InboxEventAfterCommit

    with django_capture_on_commit_callbacks() as callbacks:
        for index in range(5):
            open_case(f"Imported {index}")
    events = [callback for callback in callbacks if isinstance(callback, _InboxEventAfterCommit)]
    assert len(events) == 1
    assert events[0].kinds == {"case"}
