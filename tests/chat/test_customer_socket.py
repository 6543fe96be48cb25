"""The customer's WebSocket: who may connect, store-before-ack with numbered items, resume
exactly once and in order, and bad input answered without losing or doubling anything."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import timezone

from connect_support.chat.items import notice_append
from connect_support.chat.models import ChatMessage, Conversation
from connect_support.identity.sessions import sign_in_sessions_revoke_for_person
from tests.chat.support import ChatWorld, Client, db, new_client_id, run


async def online(agent: Any, capacity: int = 3) -> Client:
    staff = await Client.agent(agent)
    await staff.send({"type": "status", "status": "online", "capacity": capacity})
    await staff.expect("status", status="online")
    return staff


def test_a_visitor_who_is_not_signed_in_is_told_so_and_closed(world: ChatWorld) -> None:
    async def scenario() -> None:
        client = await Client.customer(None, expect_hello=False)
        error = await client.expect("error")
        assert error["code"] == "not_signed_in"
        assert await client.expect_closed() == 4401

    run(scenario)


def test_an_account_the_platform_supports_is_sent_to_the_platform(world: ChatWorld) -> None:
    customer = world.customer(supported=False)

    async def scenario() -> None:
        client = await Client.customer(customer, expect_hello=False)
        error = await client.expect("error")
        assert error["code"] == "not_eligible"
        assert error["platform"]["support_url"] == "https://help.platform.example/"
        assert await client.expect_closed() == 4403

    run(scenario)


def test_a_page_on_another_origin_cannot_open_the_socket(world: ChatWorld) -> None:
    customer = world.customer()

    async def scenario() -> None:
        client = await Client.customer(customer, origin=b"https://evil.example", expect_hello=False)
        assert client.closed_with == -1  # refused during the handshake

    run(scenario)


def test_messages_are_stored_before_they_are_acknowledged_and_numbered_in_order(world: ChatWorld) -> None:
    customer = world.customer()
    agent = world.agent()

    async def scenario() -> None:
        staff = await online(agent)
        person = await Client.customer(customer)
        started = await person.start("My payout is late.")
        conversation = started["conversation"]["id"]
        assert started["created"] is True
        acks = [await person.say(f"detail {n}") for n in range(5)]
        seqs = [ack["seq"] for ack in acks]
        assert seqs == list(range(seqs[0], seqs[0] + 5))
        stored = await db(lambda: list(ChatMessage.objects.filter(conversation_id=conversation).order_by("seq")))()
        assert [row.seq for row in stored] == list(range(1, len(stored) + 1))
        for ack in acks:
            row = next(r for r in stored if r.seq == ack["seq"])
            assert (row.pk, row.client_id, row.author_kind) == (ack["id"], ack["client_id"], "customer")
        # Every connection gets every item once, including the sender's own.
        await person.expect("item", seq=seqs[-1])
        assert [item["seq"] for item in person.items()] == list(range(1, seqs[-1] + 1))
        await staff.close()
        await person.close()

    run(scenario)


def test_a_resent_message_is_acknowledged_again_but_stored_once(world: ChatWorld) -> None:
    customer = world.customer()
    world.agent().go_online()

    async def scenario() -> None:
        person = await Client.customer(customer)
        started = await person.start()
        first = await person.say("only once please", client_id="resend-1")
        second = await person.say("only once please", client_id="resend-1")
        assert (second["id"], second["seq"], second["duplicate"]) == (first["id"], first["seq"], True)
        count = await db(
            lambda: ChatMessage.objects.filter(
                conversation_id=started["conversation"]["id"], client_id="resend-1"
            ).count()
        )()
        assert count == 1
        await person.close()

    run(scenario)


def test_a_retried_start_finds_the_same_conversation(world: ChatWorld) -> None:
    customer = world.customer()
    world.agent().go_online()

    async def scenario() -> None:
        person = await Client.customer(customer)
        frame = {"type": "start", "client_id": "start-once", "text": "Hello", "topic": "payouts"}
        await person.send(frame)
        first = await person.expect("started")
        second_tab = await Client.customer(customer)
        assert second_tab.received[-1]["conversation"]["id"] == first["conversation"]["id"]
        await second_tab.send(frame)
        again = await second_tab.expect("started")
        assert again["conversation"]["id"] == first["conversation"]["id"]
        assert again["created"] is False
        assert await db(lambda: Conversation.objects.filter(account=customer.account).count())() == 1
        await person.close()
        await second_tab.close()

    run(scenario)


def test_resume_replays_what_was_missed_exactly_once_in_order(world: ChatWorld) -> None:
    customer = world.customer()
    agent = world.agent()

    async def scenario() -> None:
        staff = await online(agent)
        person = await Client.customer(customer)
        conversation = (await person.start("Hello"))["conversation"]["id"]
        await staff.expect("assigned")
        await staff.send({"type": "subscribe", "conversation": conversation, "last_seq": 0})
        joined = await person.expect("item", code="agent_joined")
        seen = joined["seq"]
        await person.close()
        for n in range(4):
            await staff.say(f"answer {n}", conversation=conversation)
        person = await Client.customer(customer)
        await person.send({"type": "resume", "conversation": conversation, "last_seq": seen})
        resumed = await person.expect("resumed")
        assert resumed["conversation"]["agent"]["name"] == "Avery"
        replayed = [await person.expect("item") for _ in range(4)]
        assert [item["text"] for item in replayed] == [f"answer {n}" for n in range(4)]
        assert [item["seq"] for item in replayed] == list(range(seen + 1, seen + 5))
        live = await staff.say("still there?", conversation=conversation)
        assert (await person.expect("item"))["seq"] == live["seq"]
        assert await person.quiet() == []  # nothing twice
        await person.close()
        await staff.close()

    run(scenario)


def test_a_lost_event_is_caught_up_within_two_heartbeats(world: ChatWorld) -> None:
    customer = world.customer()
    world.agent().go_online()

    async def scenario() -> None:
        person = await Client.customer(customer)
        conversation = (await person.start())["conversation"]["id"]
        await person.quiet()
        # Written without any event being sent: as if the channel layer had dropped it.
        silent = await db(
            lambda: notice_append(
                conversation_id=conversation, code="test", text="written silently", now=timezone.now()
            )
        )()
        # The first heartbeat notes the number; an item may still be on its way then.
        await person.send({"type": "ping"})
        await person.expect("pong")
        await person.quiet()
        assert not [item for item in person.items() if item["seq"] == silent.seq]
        # By the second it is overdue: read from the database.
        await person.send({"type": "ping"})
        await person.expect("pong")
        caught = await person.expect("item", seq=silent.seq)
        assert caught["text"] == "written silently"
        await person.close()

    run(scenario)


def test_no_connection_may_join_another_accounts_conversation(world: ChatWorld) -> None:
    owner, stranger = world.customer(), world.customer()
    world.agent().go_online()

    async def scenario() -> None:
        person = await Client.customer(owner)
        conversation = (await person.start())["conversation"]["id"]
        intruder = await Client.customer(stranger)
        await intruder.send({"type": "resume", "conversation": conversation, "last_seq": 0})
        error = await intruder.expect("error")
        assert error["code"] == "not_found"
        assert await intruder.expect_closed() == 4404
        assert not intruder.items()
        await person.close()

    run(scenario)


def test_a_resume_from_a_number_never_sent_is_refused_with_the_real_one(world: ChatWorld) -> None:
    customer = world.customer()
    world.agent().go_online()

    async def scenario() -> None:
        person = await Client.customer(customer)
        started = await person.start()
        conversation = started["conversation"]["id"]
        later = await Client.customer(customer)
        await later.send({"type": "resume", "conversation": conversation, "last_seq": 999})
        error = await later.expect("error")
        assert (error["code"], error["last_seq"]) == ("seq_ahead", started["conversation"]["last_seq"])
        assert await later.expect_closed() == 4409
        await person.close()

    run(scenario)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_frame"),
        ('{"type": "teleport"}', "unknown_type"),
        ('{"type": "message", "client_id": "x1", "text": 42}', "bad_frame"),
        ('{"type": "message", "client_id": "bad id with spaces", "text": "hi"}', "bad_frame"),
        ('{"type": "resume", "conversation": "chat_x", "last_seq": -1}', "bad_frame"),
        ('{"type": "message", "client_id": "x2", "text": "hi"}', "no_conversation"),
    ],
)
def test_bad_frames_get_an_error_and_the_connection_keeps_working(world: ChatWorld, raw: str, code: str) -> None:
    customer = world.customer()

    async def scenario() -> None:
        person = await Client.customer(customer)
        await person.send_text(raw)
        error = await person.expect("error")
        assert error["code"] == code
        await person.send({"type": "ping"})
        await person.expect("pong")
        await person.close()

    run(scenario)


def test_an_oversized_frame_closes_with_1009_and_others_keep_chatting(world: ChatWorld) -> None:
    customer, other = world.customer(), world.customer()
    world.agent().go_online(capacity=5)

    async def scenario() -> None:
        person = await Client.customer(customer)
        await person.start()
        await person.send({"type": "message", "client_id": "big", "text": "x" * 20_000})
        assert (await person.expect("error"))["code"] == "too_large"
        assert await person.expect_closed() == 1009
        bystander = await Client.customer(other)
        await bystander.start()
        assert (await bystander.say("still fine"))["seq"] >= 2
        await bystander.close()

    run(scenario)


def test_a_message_too_long_is_refused_and_not_stored(world: ChatWorld) -> None:
    customer = world.customer()
    world.agent().go_online()

    async def scenario() -> None:
        person = await Client.customer(customer)
        conversation = (await person.start())["conversation"]["id"]
        await person.send({"type": "message", "client_id": "long", "text": "y" * 4001})
        error = await person.expect("error", client_id="long")
        assert (error["code"], error["limit"]) == ("too_long", 4000)
        assert not await db(
            lambda: ChatMessage.objects.filter(conversation_id=conversation, client_id="long").exists()
        )()
        await person.close()

    run(scenario)


def test_a_flood_is_refused_then_closed_and_nothing_refused_is_stored(world: ChatWorld) -> None:
    customer = world.customer()
    world.agent().go_online()

    async def scenario() -> None:
        person = await Client.customer(customer)
        conversation = (await person.start())["conversation"]["id"]
        sent = []
        for n in range(120):
            client_id = f"flood{n}"
            sent.append(client_id)
            await person.send({"type": "message", "client_id": client_id, "text": f"spam {n}"})
        code = await person.expect_closed(wait=10)
        assert code == 4429
        acked = {f["client_id"] for f in person.received if f["type"] == "ack"}
        refused = [f for f in person.received if f["type"] == "error" and f["code"] == "rate_limited"]
        assert refused, "the client was told to slow down"
        stored = await db(
            lambda: set(
                ChatMessage.objects.filter(conversation_id=conversation, client_id__startswith="flood").values_list(
                    "client_id", flat=True
                )
            )
        )()
        assert stored == acked  # what was acknowledged is stored, and only that
        assert len(acked) < len(sent)

    run(scenario)


def test_a_reconnect_storm_is_slowed_down(world: ChatWorld, settings: Any) -> None:
    customer = world.customer()

    async def scenario() -> None:
        clients = []
        for _ in range(30):
            clients.append(await Client.customer(customer))
        storm = await Client.customer(customer, expect_hello=False)
        error = await storm.expect("error")
        assert error["code"] == "too_many_connections"
        assert error["retry_after"] > 0
        assert await storm.expect_closed() == 4429
        for client in clients:
            await client.close()

    run(scenario)


def test_signing_out_everywhere_closes_the_chat_socket(world: ChatWorld, settings: Any) -> None:
    settings.CHAT_SESSION_RECHECK_SECONDS = 0
    customer = world.customer()
    world.agent().go_online()

    async def scenario() -> None:
        person = await Client.customer(customer)
        await person.start()
        await db(
            lambda: sign_in_sessions_revoke_for_person(
                account_id=customer.account.pk, person_id=customer.person.pk if customer.person else None, reason="test"
            )
        )()
        await person.send({"type": "message", "client_id": new_client_id(), "text": "am I still here?"})
        error = await person.expect("error")
        assert error["code"] == "session_ended"
        assert await person.expect_closed() == 4401

    run(scenario)


def test_chat_outside_business_hours_says_when_it_opens(world: ChatWorld) -> None:
    from connect_support.chat.availability import chat_settings_get

    customer = world.customer()
    world.agent().go_online()
    row = chat_settings_get()
    row.weekly_hours = {str(day): [] for day in range(7)}
    row.weekly_hours["0"] = [["09:00", "17:00"]]
    row.time_zone = "Europe/Paris"
    row.save()

    async def scenario() -> None:
        person = await Client.customer(customer)
        hello = person.received[0]
        assert hello["availability"]["available"] is False
        assert hello["availability"]["reason"] in {"closed", "holiday"}
        await person.send({"type": "start", "client_id": "late", "text": "anyone?"})
        error = await person.expect("error")
        assert error["code"] == "unavailable"
        assert error["availability"]["opens_at"]
        assert "Mon 09:00–17:00 (Europe/Paris)" in error["availability"]["hours"]
        assert not await db(lambda: Conversation.objects.filter(account=customer.account).exists())()

    run(scenario)


def test_frames_are_json_text_only(world: ChatWorld) -> None:
    customer = world.customer()

    async def scenario() -> None:
        person = await Client.customer(customer)
        await person.communicator.send_to(bytes_data=json.dumps({"type": "ping"}).encode())
        assert (await person.expect("error"))["code"] == "bad_frame"
        await person.close()

    run(scenario)
