"""Time: idle chats are warned then closed, unanswered customers are offered an email case
(and can take it), chats waiting too long close, and chats of an agent who vanished go
back to the queue. The sweep runs in every web process, so each change happens once."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from connect_support.cases.models import Case
from connect_support.chat.models import AgentStatus, ChatMessage, Conversation
from connect_support.chat.sweep import conversations_sweep
from tests.chat.support import ChatWorld, Client, db, run


def sweep_at(minutes: float) -> object:
    return db(lambda: conversations_sweep(now=timezone.now() + timedelta(minutes=minutes)))()


def test_an_idle_chat_is_warned_then_closed_with_a_notice(world: ChatWorld) -> None:
    customer = world.customer()
    agent = world.agent()
    agent.go_online()

    async def scenario() -> None:
        person = await Client.customer(customer)
        await person.start()
        await person.expect("item", code="agent_joined")
        await db(
            lambda: AgentStatus.objects.filter(user=agent.user).update(
                connected_until=timezone.now() + timedelta(hours=1)
            )
        )()
        report = await sweep_at(14)
        assert report.warned == 1  # type: ignore[attr-defined]
        warning = await person.expect("item", code="idle_warning")
        assert warning["text"] == "This chat will close in 2 minutes unless someone writes."
        again = await sweep_at(14.5)
        assert again.warned == 0  # type: ignore[attr-defined]
        closed = await sweep_at(16)
        assert closed.closed_idle == 1  # type: ignore[attr-defined]
        notice = await person.expect("item", code="ended")
        assert notice["text"] == "This chat was closed after 15 minutes without messages."
        row = await db(Conversation.objects.get)()
        assert (row.status, row.end_reason) == ("ended", "idle")
        await person.close()

    run(scenario)


def test_a_message_resets_the_idle_clock(world: ChatWorld) -> None:
    customer = world.customer()
    world.agent().go_online()

    async def scenario() -> None:
        person = await Client.customer(customer)
        await person.start()
        await sweep_at(14)
        await person.expect("item", code="idle_warning")
        await person.say("still here")
        report = await db(lambda: conversations_sweep(now=timezone.now() + timedelta(minutes=2)))()
        assert report.closed_idle == 0
        assert await db(lambda: Conversation.objects.get().status)() == "active"
        await person.close()

    run(scenario)


def test_an_unanswered_customer_is_offered_email_and_can_take_it(world: ChatWorld) -> None:
    customer = world.customer()
    row = world.agent()
    row.go_online()

    async def scenario() -> None:
        person = await Client.customer(customer)
        started = await person.start("Can someone help with my reserve?")
        report = await sweep_at(4)
        assert report.offered_case == 1  # type: ignore[attr-defined]
        offer = await person.expect("item", code="case_offered")
        assert "turn this chat into an email case" in offer["text"]
        await person.send({"type": "to_case"})
        created = await person.expect("item", code="case_created")
        case = await db(Case.objects.get)()
        assert created["data"]["number"] == case.number
        assert (case.channel, case.account_id) == ("chat", customer.account.pk)
        assert case.source_context["chat"] == started["conversation"]["id"]
        await person.close()

    run(scenario)


def test_a_customer_cannot_turn_a_chat_an_agent_answers_into_a_case(world: ChatWorld) -> None:
    customer = world.customer()
    agent = world.agent()

    async def scenario() -> None:
        staff = await Client.agent(agent)
        await staff.send({"type": "status", "status": "online"})
        await staff.expect("status")
        person = await Client.customer(customer)
        conversation = (await person.start())["conversation"]["id"]
        await staff.say("I'm on it", conversation=conversation)
        await person.send({"type": "to_case"})
        assert (await person.expect("error"))["code"] == "not_allowed"
        assert not await db(Case.objects.exists)()
        await person.close()
        await staff.close()

    run(scenario)


def test_a_chat_waiting_too_long_closes_and_says_to_email(world: ChatWorld) -> None:
    from connect_support.chat.availability import chat_settings_get

    settings_row = chat_settings_get()
    settings_row.routing = "manual"
    settings_row.save()
    customer = world.customer()
    world.agent().go_online()

    async def scenario() -> None:
        person = await Client.customer(customer)
        await person.start()
        report = await sweep_at(31)
        assert report.closed_unanswered == 1  # type: ignore[attr-defined]
        ended = await person.expect("item", code="ended")
        assert "Send us an email" in ended["text"]
        assert await db(lambda: Conversation.objects.get().end_reason)() == "no_agent"
        await person.close()

    run(scenario)


def test_the_chats_of_an_agent_who_vanished_go_back_to_the_queue(world: ChatWorld) -> None:
    customer = world.customer()
    gone, present = world.agent(name="Avery Agent"), world.agent(name="Blake Agent")
    gone.go_online(capacity=1)

    async def scenario() -> None:
        person = await Client.customer(customer)
        await person.start()
        await person.expect("item", code="agent_joined")
        await db(
            lambda: AgentStatus.objects.filter(user=gone.user).update(
                connected_until=timezone.now() - timedelta(minutes=5)
            )
        )()
        await db(present.go_online)(capacity=1)
        report = await db(lambda: conversations_sweep(now=timezone.now()))()
        assert (report.requeued, report.routed) == (1, 1)
        await person.expect("item", code="returned_to_queue")
        joined = await person.expect("item", code="agent_joined")
        assert joined["data"]["agent"] == "Blake"
        assert await db(lambda: Conversation.objects.get().agent_id)() == present.user.pk
        await person.close()

    run(scenario)


def test_two_sweeps_at_once_change_each_chat_once(world: ChatWorld) -> None:
    customer = world.customer()
    world.agent().go_online()

    async def scenario() -> None:
        person = await Client.customer(customer)
        await person.start()
        moment = timezone.now() + timedelta(minutes=16)
        import asyncio

        await asyncio.gather(
            db(lambda: conversations_sweep(now=moment))(), db(lambda: conversations_sweep(now=moment))()
        )
        ended = await db(lambda: ChatMessage.objects.filter(code="ended").count())()
        assert ended == 1
        await person.close()

    run(scenario)
