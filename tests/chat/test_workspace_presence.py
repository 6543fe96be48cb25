"""The customer's presence in the agent's workspace: told when the customer's last
connection to the chat goes away and when one comes back, over the real sockets."""

from __future__ import annotations

from typing import TypeVar

from django.core.cache import cache

from tests.chat.support import Agent, ChatWorld, Client, Customer, db, run

T = TypeVar("T")


async def online(agent: Agent) -> Client:
    staff = await Client.agent(agent)
    await staff.send({"type": "status", "status": "online", "capacity": 3})
    await staff.expect("status", status="online")
    return staff


async def chatting(staff: Client, customer: Customer) -> tuple[Client, str]:
    person = await Client.customer(customer)
    started = await person.start("Where is my payout?")
    conversation: str = started["conversation"]["id"]
    await staff.expect("assigned")
    await staff.send({"type": "subscribe", "conversation": conversation, "last_seq": 0})
    subscribed = await staff.expect("subscribed")
    await staff.quiet(0.3)
    # Whichever came first: the subscription saw the customer, or the customer's arrival was signalled.
    told = [f for f in staff.received if f["type"] == "presence" and f["conversation"] == conversation]
    assert subscribed["conversation"]["customer_present"] or told[-1]["customer"] == "here"
    return person, conversation


def test_the_agent_sees_the_customer_leave_and_come_back(world: ChatWorld) -> None:
    agent, customer = world.agent(), world.customer()

    async def scenario() -> None:
        staff = await online(agent)
        person, conversation = await chatting(staff, customer)
        await person.close()
        left = await staff.expect("presence", conversation=conversation)
        assert left["customer"] == "left"

        # Back (a page change on the support site): the widget resumes the chat.
        again = await Client.customer(customer)
        await again.send({"type": "resume", "conversation": conversation, "last_seq": 0})
        await again.expect("resumed")
        back = await staff.expect("presence", conversation=conversation)
        assert back["customer"] == "here"

        # A workspace that connects now is told where things stand when it subscribes.
        second = await Client.agent(agent)
        await second.send({"type": "subscribe", "conversation": conversation, "last_seq": 0})
        assert (await second.expect("subscribed"))["conversation"]["customer_present"] is True
        await again.close()
        await second.expect("presence", conversation=conversation, customer="left")
        await second.send({"type": "subscribe", "conversation": conversation, "last_seq": 0})
        assert (await second.expect("subscribed"))["conversation"]["customer_present"] is False
        for client in (staff, second):
            await client.close()

    run(scenario)


def test_closing_one_of_two_tabs_is_not_leaving(world: ChatWorld) -> None:
    agent, customer = world.agent(), world.customer()

    async def scenario() -> None:
        staff = await online(agent)
        first, conversation = await chatting(staff, customer)
        second = await Client.customer(customer)
        await second.send({"type": "resume", "conversation": conversation, "last_seq": 0})
        await second.expect("resumed")
        await first.close()
        assert not [f for f in await staff.quiet(0.5) if f["type"] == "presence"]
        await second.close()
        await staff.expect("presence", conversation=conversation, customer="left")
        await staff.close()

    run(scenario)


def test_presence_goes_only_to_the_agent_of_the_chat(world: ChatWorld) -> None:
    agent, other, customer = world.agent(), world.agent(name="Blake Other"), world.customer()

    async def scenario() -> None:
        staff = await online(agent)
        person, conversation = await chatting(staff, customer)
        bystander = await Client.agent(other)  # online workspace, not answering this chat
        await person.close()
        await staff.expect("presence", conversation=conversation, customer="left")
        assert not [f for f in await bystander.quiet(0.5) if f["type"] == "presence"]
        # Nor can another agent ask for it: the chat is not theirs to follow.
        await bystander.send({"type": "subscribe", "conversation": conversation, "last_seq": 0})
        assert (await bystander.expect("error"))["code"] == "not_found"
        for client in (staff, bystander):
            await client.close()

    run(scenario)


def test_a_connection_that_vanished_without_closing_shows_as_left_at_the_next_heartbeat(world: ChatWorld) -> None:
    agent, customer = world.agent(), world.customer()

    async def scenario() -> None:
        staff = await online(agent)
        person, conversation = await chatting(staff, customer)
        # What a killed web process leaves behind: its lease, which then runs out.
        await db(cache.delete)(f"chat:presence:{conversation}")
        await staff.send({"type": "ping"})
        await staff.expect("pong")
        left = await staff.expect("presence", conversation=conversation)
        assert left["customer"] == "left"
        # The customer's own heartbeat renews its lease, and the agent is told.
        await person.send({"type": "ping"})
        await staff.expect("presence", conversation=conversation, customer="here")
        for client in (staff, person):
            await client.close()

    run(scenario)


def test_an_ended_chat_sends_no_presence(world: ChatWorld) -> None:
    agent, customer = world.agent(), world.customer()

    async def scenario() -> None:
        staff = await online(agent)
        person, conversation = await chatting(staff, customer)
        await staff.send({"type": "end", "conversation": conversation})
        await person.expect("item", code="ended")
        await person.close()
        assert not [f for f in await staff.quiet(0.5) if f["type"] == "presence"]
        await staff.close()

    run(scenario)
