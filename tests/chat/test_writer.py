"""Storing messages: numbers stay contiguous and unique when several writers (threads here,
processes in production) store into one conversation at once, a client id is stored once
even when two writers race with it, and the embedded channel layer keeps its contract."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from django.db import close_old_connections

from connect_support.chat.layers import LocalChannelLayer
from connect_support.chat.models import ChatMessage, Conversation
from connect_support.chat.writer import MessageRequest, MessageStored, message_writer, messages_store
from tests.chat.support import ChatWorld, run
from tests.chat.test_views import open_chat


def request(conversation: Conversation, client_id: str, text: str = "hi") -> MessageRequest:
    return MessageRequest(
        conversation_id=conversation.pk,
        author_kind="customer",
        author_name="Robin",
        text=text,
        client_id=client_id,
        account_id=conversation.account_id,
    )


def test_concurrent_writers_number_one_conversation_without_gaps_or_repeats(world: ChatWorld) -> None:
    world.agent().go_online()
    conversation = open_chat(world.customer())
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        from django.utils import timezone

        try:
            for n in range(15):
                messages_store(requests=[request(conversation, f"{name}-{n}")], now=timezone.now())
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=writer, args=(f"w{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    seqs = list(ChatMessage.objects.filter(conversation=conversation).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert ChatMessage.objects.filter(conversation=conversation, client_id__startswith="w").count() == 45
    assert Conversation.objects.get().last_seq == seqs[-1]


def test_one_batch_stores_many_and_answers_each_sender(world: ChatWorld) -> None:
    world.agent().go_online(capacity=3)
    first, second = open_chat(world.customer()), open_chat(world.customer())

    async def scenario() -> list[Any]:
        writer = message_writer()
        batch = [request(first, "a1"), request(second, "b1"), request(first, "a2"), request(first, "a1")]
        return await asyncio.gather(*(writer.store(item) for item in batch), return_exceptions=True)

    results = run(scenario)
    assert all(isinstance(result, MessageStored) for result in results)
    a1, b1, a2, again = results
    assert (a2.seq, b1.seq) == (a1.seq + 1, b1.seq)
    assert (again.id, again.seq) == (a1.id, a1.seq)
    assert ChatMessage.objects.filter(client_id="a1").count() == 1


def test_a_client_id_raced_by_two_writers_is_stored_once(world: ChatWorld) -> None:
    world.agent().go_online()
    conversation = open_chat(world.customer())
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def writer() -> None:
        from django.utils import timezone

        from connect_support.chat.writer import _store_batch

        try:
            barrier.wait()
            outcomes, _deliveries = _store_batch([request(conversation, "same-id", "once")])
            results.extend(outcomes)
            _ = timezone
        finally:
            close_old_connections()

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2
    assert {result.seq for result in results} == {results[0].seq}
    assert sorted(result.duplicate for result in results) == [False, True]
    assert ChatMessage.objects.filter(client_id="same-id").count() == 1


def test_the_embedded_channel_layer_delivers_in_order_and_drops_the_expired() -> None:
    layer = LocalChannelLayer(expiry=1, capacity=3)

    async def scenario() -> None:
        one, two = await layer.new_channel(), await layer.new_channel()
        await layer.group_add("chat.c.x", one)
        await layer.group_add("chat.c.x", two)
        for n in range(3):
            await layer.group_send("chat.c.x", {"type": "chat.item", "n": n})
        await layer.group_send("chat.c.x", {"type": "chat.item", "n": 3})  # over capacity: dropped, logged
        assert [(await layer.receive(one))["n"] for _ in range(3)] == [0, 1, 2]
        assert [(await layer.receive(two))["n"] for _ in range(3)] == [0, 1, 2]
        await layer.group_discard("chat.c.x", one)
        await layer.group_send("chat.c.x", {"type": "chat.item", "n": 4})
        assert (await layer.receive(two))["n"] == 4
        assert not layer.channels[one].messages
        await layer.send(two, {"type": "chat.item", "n": 5})
        layer.channels[two].messages[0] = (0.0, layer.channels[two].messages[0][1])  # expired in place
        await layer.send(two, {"type": "chat.item", "n": 6})
        assert (await layer.receive(two))["n"] == 6

    run(scenario)


def test_a_resend_in_a_batch_of_new_messages_is_answered_once_and_the_rest_stored(world: ChatWorld) -> None:
    """The writer stores a batch without looking for resends first; the unique constraint
    catches one, and the batch is stored again with the lookup."""
    from connect_support.chat.writer import _store_batch

    world.agent().go_online(capacity=3)
    first, second = open_chat(world.customer()), open_chat(world.customer())
    stored, _ = _store_batch([request(first, "early", "sent before")])
    early = stored[0]
    assert isinstance(early, MessageStored)

    outcomes, deliveries = _store_batch(
        [request(second, "b1"), request(first, "early", "sent before"), request(first, "a2"), request(second, "b2")]
    )

    assert all(isinstance(outcome, MessageStored) for outcome in outcomes)
    b1, again, a2, b2 = outcomes
    assert isinstance(again, MessageStored)
    assert again.duplicate
    assert (again.id, again.seq) == (early.id, early.seq)
    assert a2.seq == early.seq + 1
    assert b2.seq == b1.seq + 1
    assert ChatMessage.objects.filter(client_id="early").count() == 1
    # Only what was stored now is sent out.
    assert sorted(delivery.message["frame"]["client_id"] for delivery in deliveries) == ["a2", "b1", "b2"]
    for conversation in (first, second):
        seqs = list(conversation.items.order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1))
