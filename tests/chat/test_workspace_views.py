"""The workspace's HTTP side: the Chats link in the console's navigation, the account
beside a chat (risk interventions, requirements), macros filled in for a chat, and the
transcript page a case made from a chat links to."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.template import Context, Template
from django.test import Client as HttpClient
from django.utils import timezone

from connect_support.cases.macros import macro_create
from connect_support.cases.models import Macro
from connect_support.chat.transcripts import conversation_to_case
from connect_support.risk.services import intervention_create
from tests.chat.support import Agent, ChatWorld, Client, Customer
from tests.chat.test_workspace_presence import run


def signed_in(agent: Agent) -> HttpClient:
    http = HttpClient()
    http.cookies[settings.SESSION_COOKIE_NAME] = agent.cookie
    return http


def answered_chat(agent: Agent, customer: Customer) -> str:
    """A chat the customer started and the agent took, through the real sockets."""

    async def scenario() -> str:
        staff = await Client.agent(agent)
        await staff.send({"type": "status", "status": "online", "capacity": 3})
        await staff.expect("status", status="online")
        person = await Client.customer(customer)
        started = await person.start("Why are my payouts paused?")
        await staff.expect("assigned")
        for client in (staff, person):
            await client.close()
        conversation: str = started["conversation"]["id"]
        return conversation

    return run(scenario)


def test_the_navigation_links_chats_for_agents_who_work_them(world: ChatWorld) -> None:
    support = signed_in(world.agent())
    page = support.get("/console/").content.decode()
    assert '<a href="/console/chats/">Chats</a>' in page
    assert 'href="/console/chats/" aria-current="page">Chats</a>' in support.get("/console/chats/").content.decode()
    editor = signed_in(world.agent(roles=("content editor",)))
    assert 'href="/console/chats/"' not in editor.get("/console/").content.decode()
    assert editor.get("/console/chats/").status_code == 403
    # Rendered without a request (an email, say), the link is simply left out.
    nav = Template('{% load console_access %}{% if request|agent_may:"chats.work" %}Chats{% endif %}')
    assert nav.render(Context({})) == ""


def test_beside_the_chat_the_account_shows_its_open_interventions_and_requirements(world: ChatWorld) -> None:
    agent, customer = world.agent(), world.customer()
    conversation = answered_chat(agent, customer)
    intervention_create(
        account=customer.account,
        kind="pause_payouts",
        cause="compliance",
        message="Tell us about your business.",
        deadline=timezone.now() + timedelta(days=7),
    )
    resolved = intervention_create(
        account=customer.account,
        kind="slow_payouts",
        cause="credit",
        deadline=timezone.now() + timedelta(days=3),
    )
    resolved.status = "resolved"
    resolved.save(update_fields=["status"])
    panel = signed_in(agent).get(f"/console/chats/{conversation}/account")
    assert panel.status_code == 200
    html = panel.content.decode()
    assert "Payouts paused" in html
    assert "Action required" in html
    assert "Compliance" in html
    assert "Payouts slowed" not in html  # resolved: not open any more
    assert "Currently due" in html
    assert "<code>business_type</code>" in html
    # A support agent is not a risk reviewer: no link to the review.
    assert "Open the review" not in html
    assert "no-cache" in panel["Cache-Control"]


def test_an_agent_who_also_reviews_risk_gets_a_link_to_the_review(world: ChatWorld) -> None:
    agent, customer = world.agent(roles=("support agent", "risk agent")), world.customer()
    conversation = answered_chat(agent, customer)
    intervention = intervention_create(
        account=customer.account, kind="pause_charges", cause="fraud", deadline=timezone.now() + timedelta(days=2)
    )
    html = signed_in(agent).get(f"/console/chats/{conversation}/account").content.decode()
    assert f'href="/console/risk/{intervention.pk}/"' in html
    assert "Payments paused" in html


def test_the_account_panel_is_only_for_the_agents_of_the_chat(world: ChatWorld) -> None:
    agent, customer = world.agent(), world.customer()
    conversation = answered_chat(agent, customer)
    stranger = signed_in(world.agent(name="Blake Other"))
    assert stranger.get(f"/console/chats/{conversation}/account").status_code == 404
    assert stranger.get(f"/console/chats/{conversation}/macros").status_code == 404
    assert signed_in(agent).get("/console/chats/chat_doesnotexist/account").status_code == 404
    anonymous = HttpClient().get(f"/console/chats/{conversation}/account")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/console/login/")


def test_macros_are_filled_in_for_the_chat_and_not_sent(world: ChatWorld) -> None:
    agent, other, customer = world.agent(), world.agent(name="Blake Other"), world.customer()
    conversation = answered_chat(agent, customer)
    shared = macro_create(
        user=other.user,
        title="Payout timing",
        body="Hi {{ requester.first_name }}, {{ agent.name }} here about {{ account.business_name }}. "
        "Case {{ case.number }}. {{ nonsense }} <script>alert(1)</script>",
        shared=True,
    )
    mine = macro_create(user=agent.user, title="My sign-off", body="Talk soon!", shared=False)
    theirs = macro_create(user=other.user, title="Blake's own", body="Private", shared=False)
    http = signed_in(agent)

    listed = http.get(f"/console/chats/{conversation}/macros").json()["macros"]
    assert [m["title"] for m in listed] == ["Payout timing", "My sign-off"]
    assert theirs.pk not in {m["id"] for m in listed}

    url = f"/console/chats/{conversation}/macros/{shared.pk}"
    assert http.get(url).status_code == 405  # inserting counts a use: POST only
    filled = http.post(url).json()
    assert filled["text"] == (
        f"Hi Robin, Avery here about {customer.account.business_name}. Case {{{{ case.number }}}}. "
        "{{ nonsense }} <script>alert(1)</script>"
    )
    assert (filled["missing"], filled["unknown"]) == (["case.number"], ["nonsense"])
    assert Macro.objects.get(pk=shared.pk).usage_count == 1
    assert http.post(f"/console/chats/{conversation}/macros/{mine.pk}").json()["text"] == "Talk soon!"
    refused = http.post(f"/console/chats/{conversation}/macros/{theirs.pk}")
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "not_found"
    assert http.post(f"/console/chats/{conversation}/macros/macro_nope").status_code == 404
    strict = HttpClient(enforce_csrf_checks=True)
    strict.cookies[settings.SESSION_COOKIE_NAME] = agent.cookie
    assert strict.post(url).status_code == 403  # no CSRF token: refused, and not counted
    assert Macro.objects.get(pk=shared.pk).usage_count == 1
    # Nothing reached the chat: a macro only fills the reply box.
    from connect_support.chat.models import ChatMessage

    assert not ChatMessage.objects.filter(conversation_id=conversation, author_kind="agent").exists()


def test_the_transcript_page_shows_the_chat_and_its_case(world: ChatWorld) -> None:
    agent, customer = world.agent(), world.customer()
    conversation = answered_chat(agent, customer)
    from connect_support.chat.auth import AgentIdentity

    identity = AgentIdentity(
        user_id=agent.user.pk, name="Avery Agent", display_name="Avery", session_id="", can_chat=True
    )
    case = conversation_to_case(conversation_id=conversation, agent=identity)
    page = signed_in(agent).get(f"/console/chats/{conversation}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Why are my payouts paused?" in html
    assert f"#{case.number}" in html
    assert case.source_context["conversation_id"] == conversation
    # Case workers may read it too; other roles may not.
    assert signed_in(world.agent(roles=("support agent",))).get(f"/console/chats/{conversation}/").status_code == 200
    assert signed_in(world.agent(roles=("content editor",))).get(f"/console/chats/{conversation}/").status_code == 403
