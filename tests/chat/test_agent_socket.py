"""The agents' WebSocket: who may connect, status and capacity, routing to the least busy
agent, the queue and picking from it, several chats at once, transfer, end, and turning a
chat into an email case."""

from __future__ import annotations

from typing import Any

from connect_support.cases.models import Case, CaseMessage
from connect_support.chat.availability import chat_settings_get
from connect_support.chat.models import AgentParticipation, ChatMessage, Conversation
from tests.chat.support import Agent, ChatWorld, Client, Customer, db, run


async def online(agent: Agent, capacity: int = 3) -> Client:
    staff = await Client.agent(agent)
    await staff.send({"type": "status", "status": "online", "capacity": capacity})
    await staff.expect("status", status="online")
    return staff


async def chatting(customer: Customer, text: str = "Hello") -> tuple[Client, str]:
    person = await Client.customer(customer)
    started = await person.start(text)
    person.started = started  # type: ignore[attr-defined]
    return person, started["conversation"]["id"]


def test_an_agent_without_the_chat_role_is_refused(world: ChatWorld) -> None:
    editor = world.agent(roles=("content editor",))

    async def scenario() -> None:
        client = await Client.agent(editor, expect_hello=False)
        error = await client.expect("error")
        assert (error["code"], error["permission"]) == ("forbidden", "chats.work")
        assert await client.expect_closed() == 4403

    run(scenario)


def test_a_customer_session_is_not_an_agent_session(world: ChatWorld) -> None:
    customer = world.customer()

    async def scenario() -> None:
        client = await Client.connect("/console/chats/ws", customer.cookie, expect_hello=False)
        assert (await client.expect("error"))["code"] == "not_signed_in"
        assert await client.expect_closed() == 4401

    run(scenario)


def test_new_chats_go_to_the_least_busy_agent_within_capacity_then_queue(world: ChatWorld) -> None:
    first, second = world.agent(name="Avery Agent"), world.agent(name="Blake Agent")
    customers = [world.customer() for _ in range(4)]

    async def scenario() -> None:
        a = await online(first, capacity=1)
        b = await online(second, capacity=2)
        people = []
        for customer in customers[:3]:
            people.append(await chatting(customer))
        loads = await db(
            lambda: {
                user: Conversation.objects.filter(agent=user, status="active").count()
                for user in (first.user, second.user)
            }
        )()
        assert loads == {first.user: 1, second.user: 2}
        # Everyone is full: chat is no longer offered, and nobody is left waiting unseen.
        last = await Client.customer(customers[3])
        assert last.received[0]["availability"]["reason"] == "busy"
        await a.close()
        await b.close()
        for person, _conversation in people:
            await person.close()

    run(scenario)


def test_the_queue_shows_the_place_and_agents_pick_chats_in_manual_routing(world: ChatWorld) -> None:
    row = chat_settings_get()
    row.routing = "manual"
    row.save()
    first, second = world.agent(name="Avery Agent"), world.agent(name="Blake Agent")
    one, two = world.customer(), world.customer()

    async def scenario() -> None:
        a = await online(first, capacity=2)
        b = await online(second, capacity=2)
        p1, c1 = await chatting(one, "first in line")
        p2, c2 = await chatting(two, "second in line")
        place = p2.started["queue"]  # type: ignore[attr-defined]
        assert place["position"] == 2
        assert place["estimated_wait"] == 2 * 120  # no history yet: two minutes a place
        queue = await a.expect("queue", total=2)
        assert [entry["id"] for entry in queue["waiting"]] == [c1, c2]
        assert queue["waiting"][0]["first_message"] == "first in line"
        await a.send({"type": "accept", "conversation": c1})
        assigned = await a.expect("assigned")
        assert assigned["conversation"]["id"] == c1
        await b.send({"type": "accept", "conversation": c1})
        refused = await b.expect("error")
        assert refused["code"] == "not_waiting"
        moved_up = await p2.expect("queue_position", conversation=c2)
        assert moved_up["position"] == 1
        joined = await p1.expect("item", code="agent_joined")
        assert joined["text"] == "Avery joined the chat."
        for client in (a, b, p1, p2):
            await client.close()

    run(scenario)


def test_an_agent_answers_several_chats_at_once(world: ChatWorld) -> None:
    agent = world.agent()
    one, two = world.customer(first_name="Robin"), world.customer(first_name="Sam")

    async def scenario() -> None:
        staff = await online(agent, capacity=2)
        p1, c1 = await chatting(one, "about payouts")
        p2, c2 = await chatting(two, "about refunds")
        for conversation in (c1, c2):
            await staff.expect("assigned")
            await staff.send({"type": "subscribe", "conversation": conversation, "last_seq": 0})
        await staff.say("Hi Robin", conversation=c1)
        await staff.say("Hi Sam", conversation=c2)
        assert (await p1.expect("item", author={"kind": "agent", "name": "Avery"}))["text"] == "Hi Robin"
        assert (await p2.expect("item", author={"kind": "agent", "name": "Avery"}))["text"] == "Hi Sam"
        await p2.say("thanks")
        got = await staff.expect("item", conversation=c2, author={"kind": "customer", "name": "Sam"})
        assert got["text"] == "thanks"
        assert all(item["conversation"] in {c1, c2} for item in staff.items())
        for client in (staff, p1, p2):
            await client.close()

    run(scenario)


def test_typing_and_read_receipts_reach_the_other_side_only(world: ChatWorld) -> None:
    agent = world.agent()
    customer = world.customer()

    async def scenario() -> None:
        staff = await online(agent)
        person, conversation = await chatting(customer)
        await staff.expect("assigned")
        await staff.send({"type": "subscribe", "conversation": conversation, "last_seq": 0})
        await person.send({"type": "typing", "active": True})
        typing = await staff.expect("typing")
        assert (typing["by"], typing["name"], typing["active"]) == ("customer", "Robin", True)
        await staff.send({"type": "typing", "conversation": conversation, "active": True})
        assert (await person.expect("typing"))["by"] == "agent"
        answer = await staff.say("Here is the answer", conversation=conversation)
        await person.expect("item", seq=answer["seq"])
        await person.send({"type": "read", "seq": answer["seq"]})
        read = await staff.expect("read")
        assert (read["by"], read["seq"]) == ("customer", answer["seq"])
        marks = await db(
            lambda: Conversation.objects.values_list("customer_read_seq", flat=True).get(pk=conversation)
        )()
        assert marks == answer["seq"]
        assert not [f for f in person.received if f["type"] == "typing" and f["by"] == "customer"]
        for client in (staff, person):
            await client.close()

    run(scenario)


def test_a_transfer_hands_the_chat_over_and_the_first_agent_can_no_longer_write(world: ChatWorld) -> None:
    first, second = world.agent(name="Avery Agent"), world.agent(name="Blake Agent")
    customer = world.customer()

    async def scenario() -> None:
        a = await online(first, capacity=1)
        person, conversation = await chatting(customer)
        await a.expect("assigned")
        b = await online(second, capacity=1)
        await a.send({"type": "agents"})
        listed = await a.expect("agents")
        assert [entry["id"] for entry in listed["agents"]] == [second.user.pk]
        await a.send({"type": "transfer", "conversation": conversation, "to": second.user.pk})
        assert (await a.expect("unassigned"))["reason"] == "transferred"
        assert (await b.expect("assigned"))["conversation"]["id"] == conversation
        notice = await person.expect("item", code="transferred")
        assert notice["text"] == "Avery transferred the chat to Blake."
        await a.send({"type": "message", "conversation": conversation, "client_id": "late1", "text": "me again"})
        assert (await a.expect("error", client_id="late1"))["code"] == "not_assigned"
        await b.send({"type": "subscribe", "conversation": conversation, "last_seq": 0})
        await b.say("Blake here", conversation=conversation)
        assert (await person.expect("item", author={"kind": "agent", "name": "Blake"}))["text"] == "Blake here"
        history = await db(
            lambda: list(
                AgentParticipation.objects.filter(conversation_id=conversation).values_list("agent_name", "left_reason")
            )
        )()
        assert history == [("Avery Agent", "transferred"), ("Blake Agent", "")]
        for client in (a, b, person):
            await client.close()

    run(scenario)


def test_a_chat_sent_back_to_the_queue_goes_to_the_next_available_agent(world: ChatWorld) -> None:
    first, second = world.agent(name="Avery Agent"), world.agent(name="Blake Agent")
    customer = world.customer()

    async def scenario() -> None:
        a = await online(first, capacity=1)
        person, conversation = await chatting(customer)
        await a.expect("assigned")
        await a.send({"type": "status", "status": "away"})
        await a.expect("status", status="away")
        b = await online(second, capacity=1)
        await a.send({"type": "transfer", "conversation": conversation, "to": None})
        await person.expect("item", code="returned_to_queue")
        joined = await person.expect("item", code="agent_joined")
        assert joined["data"]["agent"] == "Blake"
        assert (await b.expect("assigned"))["conversation"]["id"] == conversation
        for client in (a, b, person):
            await client.close()

    run(scenario)


def test_an_agent_cannot_follow_a_chat_that_was_never_theirs(world: ChatWorld) -> None:
    first, second = world.agent(), world.agent(name="Blake Agent")
    customer = world.customer()

    async def scenario() -> None:
        a = await online(first, capacity=1)
        person, conversation = await chatting(customer)
        await a.expect("assigned")
        b = await Client.agent(second)
        await b.send({"type": "subscribe", "conversation": conversation, "last_seq": 0})
        assert (await b.expect("error"))["code"] == "not_found"
        await b.send({"type": "typing", "conversation": conversation, "active": True})
        assert (await b.expect("error"))["code"] == "not_assigned"
        assert not b.items()
        for client in (a, b, person):
            await client.close()

    run(scenario)


def test_either_side_ends_the_chat(world: ChatWorld) -> None:
    agent = world.agent()
    one, two = world.customer(), world.customer()

    async def scenario() -> None:
        staff = await online(agent, capacity=2)
        p1, c1 = await chatting(one)
        p2, c2 = await chatting(two)
        await p1.send({"type": "end"})
        ended = await p1.expect("item", code="ended")
        assert (ended["text"], ended["data"]["by"]) == ("Robin ended the chat.", "customer")
        assert (await staff.expect("unassigned", conversation=c1))["reason"] == "ended"
        await staff.send({"type": "end", "conversation": c2})
        assert (await p2.expect("item", code="ended"))["data"]["by"] == "agent"
        await p1.send({"type": "message", "client_id": "after-end", "text": "hello?"})
        assert (await p1.expect("error", client_id="after-end"))["code"] == "conversation_ended"
        statuses = await db(lambda: set(Conversation.objects.values_list("status", "end_reason")))()
        assert statuses == {("ended", "customer"), ("ended", "agent")}
        for client in (staff, p1, p2):
            await client.close()

    run(scenario)


def test_the_agent_turns_the_chat_into_an_email_case_with_the_transcript(world: ChatWorld) -> None:
    agent = world.agent()
    customer = world.customer()

    async def scenario() -> None:
        staff = await online(agent)
        person, conversation = await chatting(customer, "My payout of 1 June is missing.")
        await staff.expect("assigned")
        await staff.say("I will check with the bank and write to you.", conversation=conversation)
        await staff.send({"type": "to_case", "conversation": conversation})
        created = await person.expect("item", code="case_created")
        assert created["text"].startswith(f"This chat is now email case #{created['data']['number']}.")
        assert created["data"]["url"] == f"/embedded-connect/cases/{created['data']['case']}/"
        await staff.send({"type": "to_case", "conversation": conversation})  # a double click
        await staff.quiet()
        case, message = await db(lambda: (Case.objects.get(), CaseMessage.objects.get()))()
        assert (case.channel, case.account_id, case.subject) == (
            "chat",
            customer.account.pk,
            "Chat: My payout of 1 June is missing.",
        )
        assert case.source_context["chat"] == conversation
        assert "Robin: My payout of 1 June is missing." in message.body_text
        assert "Avery: I will check with the bank and write to you." in message.body_text
        row = await db(lambda: Conversation.objects.get(pk=conversation))()
        assert (row.status, row.end_reason, row.case_id) == ("ended", "converted", case.pk)
        for client in (staff, person):
            await client.close()

    run(scenario)


def test_agent_messages_need_the_chat_to_be_assigned_to_them(world: ChatWorld) -> None:
    agent, other = world.agent(), world.agent(name="Blake Agent")
    customer = world.customer()

    async def scenario() -> None:
        staff = await online(agent, capacity=1)
        person, conversation = await chatting(customer)
        await staff.expect("assigned")
        outsider = await Client.agent(other)
        await outsider.send({"type": "message", "conversation": conversation, "client_id": "x", "text": "hi"})
        assert (await outsider.expect("error", client_id="x"))["code"] == "not_assigned"
        count = await db(
            lambda: ChatMessage.objects.filter(conversation_id=conversation, author_kind="agent").count()
        )()
        assert count == 0
        for client in (staff, outsider, person):
            await client.close()

    run(scenario)


def test_hello_lists_the_agents_open_chats_after_a_reconnect(world: ChatWorld, settings: Any) -> None:
    agent = world.agent()
    customer = world.customer()

    async def scenario() -> None:
        staff = await online(agent)
        person, conversation = await chatting(customer, "context please")
        await staff.close()
        again = await Client.agent(agent)
        hello = again.received[0]
        assert hello["agent"]["status"] == "online"
        assert hello["agent"]["load"] == 1
        summary = hello["conversations"][0]
        assert summary["id"] == conversation
        assert summary["customer"]["account"] == customer.account.pk
        assert summary["first_message"] == "context please"
        await again.send({"type": "subscribe", "conversation": conversation, "last_seq": 1})
        await again.expect("subscribed")
        assert (await again.expect("item"))["seq"] == 2
        for client in (again, person):
            await client.close()

    run(scenario)
