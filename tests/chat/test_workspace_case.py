"""Turning a chat into an email case from the workspace: the transcript as the first
message, the chat's context on the case, both linked, the customer told and emailed, and
one case however many times (and however fast) it is asked for."""

from __future__ import annotations

import asyncio

from connect_support.cases.models import Case, CaseMessage, OutboundEmail
from connect_support.chat.models import ChatMessage, Conversation
from tests.chat.support import Agent, ChatWorld, Client, Customer, db
from tests.chat.test_workspace_presence import run


async def online(agent: Agent) -> Client:
    staff = await Client.agent(agent)
    await staff.send({"type": "status", "status": "online", "capacity": 3})
    await staff.expect("status", status="online")
    return staff


async def chatting(staff: Client, customer: Customer) -> tuple[Client, str]:
    person = await Client.customer(customer)
    started = await person.start("My payout of 1 June is missing.", context={"source": "notification_banner.risk_form"})
    await staff.expect("assigned")
    await staff.send({"type": "subscribe", "conversation": started["conversation"]["id"], "last_seq": 0})
    await staff.expect("subscribed")
    return person, started["conversation"]["id"]


def test_the_case_carries_the_chat_and_the_chat_shows_the_case(world: ChatWorld) -> None:
    agent, customer = world.agent(), world.customer()

    async def scenario() -> None:
        staff = await online(agent)
        person, conversation = await chatting(staff, customer)
        await person.say("It was 120 dollars.")
        await staff.say("I will ask the bank and write to you.", conversation=conversation)
        await staff.send({"type": "to_case", "conversation": conversation})
        told = await person.expect("item", code="case_created")
        number = told["data"]["number"]
        assert f"email case #{number}" in told["text"]
        assert (await staff.expect("item", code="case_created"))["data"]["number"] == number
        await staff.expect("unassigned", conversation=conversation, reason="converted")

        # The workspace shows the case number with the chat (after a reload too).
        await staff.send({"type": "subscribe", "conversation": conversation, "last_seq": 0})
        view = (await staff.expect("subscribed"))["conversation"]
        assert view["case"] == {"id": told["data"]["case"], "number": number}
        assert view["status"] == "ended"

        case = await db(Case.objects.select_related("account").get)()
        assert case.number == number
        assert case.source_context["conversation_id"] == conversation
        assert case.source_context["source"] == "notification_banner.risk_form"
        assert (case.account_id, case.topic, case.channel) == (customer.account.pk, "payouts", "chat")
        assert case.requester_email == customer.account.email
        first = await db(CaseMessage.objects.get)(case=case)
        assert "Robin: It was 120 dollars." in first.body_text
        assert "Avery: I will ask the bank and write to you." in first.body_text
        # Emailed as any new case is: the acknowledgement with its number.
        ack = await db(OutboundEmail.objects.get)(case=case, kind="acknowledgement")
        assert ack.to == customer.account.email
        assert str(number) in ack.subject + ack.text_body
        row = await db(Conversation.objects.get)(pk=conversation)
        assert (row.case_id, row.end_reason) == (case.pk, "converted")
        for client in (staff, person):
            await client.close()

    run(scenario)


def test_two_clicks_at_once_make_one_case_and_one_notice(world: ChatWorld) -> None:
    agent, customer = world.agent(), world.customer()

    async def scenario() -> None:
        staff = await online(agent)
        second_tab = await Client.agent(agent)
        person, conversation = await chatting(staff, customer)
        frame = {"type": "to_case", "conversation": conversation}
        await asyncio.gather(staff.send(frame), second_tab.send(frame), staff.send(frame))
        await person.expect("item", code="case_created")
        await person.quiet(0.5)
        await staff.quiet(0.3)
        assert not [f for f in staff.received + second_tab.received if f["type"] == "error"]
        assert await db(Case.objects.count)() == 1
        notices = await db(ChatMessage.objects.filter(conversation_id=conversation, code="case_created").count)()
        assert notices == 1
        assert len(person.items()) == len({f["seq"] for f in person.items()})
        assert await db(OutboundEmail.objects.filter(kind="acknowledgement").count)() == 1
        for client in (staff, second_tab, person):
            await client.close()

    run(scenario)


def test_an_agent_who_never_answered_the_chat_cannot_make_it_a_case(world: ChatWorld) -> None:
    agent, other, customer = world.agent(), world.agent(name="Blake Other"), world.customer()

    async def scenario() -> None:
        staff = await online(agent)
        bystander = await Client.agent(other)
        person, conversation = await chatting(staff, customer)
        await bystander.send({"type": "to_case", "conversation": conversation})
        refused = await bystander.expect("error")
        assert (refused["code"], refused["in_reply_to"]) == ("not_found", "to_case")
        assert await db(Case.objects.count)() == 0
        assert (await db(Conversation.objects.get)(pk=conversation)).status == "active"
        for client in (staff, bystander, person):
            await client.close()

    run(scenario)
