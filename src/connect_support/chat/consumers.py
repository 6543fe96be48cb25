"""The two WebSocket endpoints: customers on the support site, agents in the console.
Each frame handler parses the frame, calls one service, and answers."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.utils import timezone

from connect_support.chat import policy
from connect_support.chat.auth import AgentIdentity, CustomerIdentity, agent_for, connect_retry_after, customer_for
from connect_support.chat.availability import chat_availability
from connect_support.chat.connection import ChatConnection
from connect_support.chat.errors import ChatRefusedError
from connect_support.chat.events import QUEUE_GROUP, agent_group, customer_group, deliveries_send
from connect_support.chat.models import AgentParticipation, ChatMessage, Conversation
from connect_support.chat.presence import customers_present, presence_arrive, presence_depart, presence_frame
from connect_support.chat.protocol import Close, attachment_ids, conversation_id, whole_number
from connect_support.chat.routing import queue_place, queue_snapshot
from connect_support.chat.selectors import (
    agent_open_conversations,
    conversation_for_agent,
    conversation_for_customer,
    conversation_for_customer_frame,
    conversation_open_for,
)
from connect_support.chat.services import (
    agent_heartbeat,
    agent_state,
    agent_status_set,
    agents_for_transfer,
    clean_client_id,
    clean_text,
    conversation_accept,
    conversation_end,
    conversation_read,
    conversation_start,
    conversation_transfer,
    transcript_request,
    typing_deliveries,
)
from connect_support.chat.threads import db
from connect_support.chat.transcripts import conversation_to_case
from connect_support.chat.writer import MessageRequest, message_writer

logger = logging.getLogger(__name__)
TYPING_REPEAT_SECONDS = 3.0


def limits() -> dict[str, Any]:
    return {
        "max_text": policy.MAX_TEXT_CHARS,
        "max_frame": policy.MAX_FRAME_BYTES,
        "messages_per_second": policy.tunable("MESSAGES_PER_SECOND"),
        "message_burst": int(policy.tunable("MESSAGE_BURST")),
        "max_attachments": policy.MAX_ATTACHMENTS_PER_MESSAGE,
    }


def _hello(role: str, **rest: Any) -> dict[str, Any]:
    return {
        "type": "hello",
        "protocol": policy.PROTOCOL_VERSION,
        "role": role,
        "heartbeat": policy.tunable("HEARTBEAT_SECONDS"),
        "limits": limits(),
        **rest,
    }


def _customer_view(conversation: Conversation) -> dict[str, Any]:
    place = queue_place(conversation=conversation, now=timezone.now())
    return {"conversation": conversation_for_customer_frame(conversation), "queue": place}


def customer_hello(*, customer: CustomerIdentity) -> dict[str, Any]:
    conversation = conversation_open_for(requester_key=customer.requester_key)
    if conversation is not None:
        return _hello("customer", **_customer_view(conversation), availability=None)
    return _hello("customer", conversation=None, queue=None, availability=chat_availability().as_json())


def customer_view(*, customer: CustomerIdentity, conversation_id: str) -> tuple[dict[str, Any], int | None] | None:
    conversation = conversation_for_customer(account_id=customer.account_id, conversation_id=conversation_id)
    if conversation is None or conversation.requester_key != customer.requester_key:
        return None
    return _customer_view(conversation), conversation.agent_id


def _connect_limit(session_id: str, scope: dict[str, Any]) -> None:
    client = scope.get("client") or ("", 0)
    retry_after = connect_retry_after(session_id=session_id, ip=str(client[0] or ""))
    if retry_after:
        raise ChatRefusedError(
            "too_many_connections",
            "Too many connections; wait a moment before reconnecting.",
            retry_after=retry_after,
            close=Close.TOO_MANY,
        )


class CustomerConsumer(ChatConnection):
    """``/embedded-connect/chat/ws``: a signed-in user of an account the operator supports."""

    role = "customer"

    def __init__(self) -> None:
        super().__init__()
        self.customer: CustomerIdentity | None = None
        self.conversation_id: str | None = None
        self.agent_id: int | None = None
        self.typing_sent: tuple[bool, float] = (False, 0.0)
        self.handlers = {
            "start": self.frame_start,
            "resume": self.frame_resume,
            "message": self.frame_message,
            "typing": self.frame_typing,
            "read": self.frame_read,
            "end": self.frame_end,
            "transcript": self.frame_transcript,
            "to_case": self.frame_to_case,
            "ping": self.frame_ping,
        }

    async def on_connect(self) -> None:
        customer: CustomerIdentity | None = await db(customer_for)(self.scope)
        if customer is None:
            raise ChatRefusedError("not_signed_in", "Sign in to chat with us.", close=Close.NOT_SIGNED_IN)
        if not customer.eligible:
            raise ChatRefusedError(
                "not_eligible",
                f"{customer.platform_name} supports your account directly.",
                platform={
                    "name": customer.platform_name,
                    "support_url": customer.platform_support_url,
                    "support_email": customer.platform_support_email,
                },
                close=Close.FORBIDDEN,
            )
        self.customer, self.session_id = customer, customer.session_id
        await db(_connect_limit)(customer.session_id, self.scope)
        await self.send_json(await db(customer_hello)(customer=customer))

    @property
    def me(self) -> CustomerIdentity:
        assert self.customer is not None  # noqa: S101 (set by on_connect before any frame)
        return self.customer

    def current(self) -> str:
        if self.conversation_id is None:
            raise ChatRefusedError("no_conversation", "Start or resume a chat first.")
        return self.conversation_id

    async def attach(self, conversation_id: str, *, after: int, reply: dict[str, Any], agent_id: int | None) -> None:
        if self.conversation_id is not None and self.conversation_id != conversation_id:
            self.unfollow(self.conversation_id)
            await self.leave(customer_group(self.conversation_id))
            await self.presence_leave()
        self.conversation_id, self.agent_id = conversation_id, agent_id
        await self.join(customer_group(conversation_id))
        await deliveries_send(await db(presence_arrive)(conversation_id=conversation_id, connection=self.channel_name))
        await self.send_json(reply)
        await self.follow(conversation_id, after=after)

    async def presence_leave(self) -> None:
        """Tell the agent when the customer's last connection to the chat goes away."""
        if self.conversation_id is not None:
            await deliveries_send(
                await db(presence_depart)(conversation_id=self.conversation_id, connection=self.channel_name)
            )

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        try:
            await self.presence_leave()
        except Exception:  # the lease expires by itself; the agent's heartbeat corrects the view
            logger.warning("chat presence not recorded on disconnect", exc_info=True)
        await super().websocket_disconnect(message)

    async def frame_start(self, frame: dict[str, Any]) -> None:
        result = await db(conversation_start)(
            customer=self.me,
            client_id=frame.get("client_id"),
            topic=frame.get("topic"),
            text=frame.get("text"),
            context=frame.get("context"),
        )
        view = await db(_customer_view)(result.conversation)
        reply = {"type": "started", "created": result.created, "client_id": result.conversation.start_client_id, **view}
        await self.attach(result.conversation.pk, after=0, reply=reply, agent_id=result.conversation.agent_id)

    async def frame_resume(self, frame: dict[str, Any]) -> None:
        wanted, after = conversation_id(frame), whole_number(frame, "last_seq")
        found = await db(customer_view)(customer=self.me, conversation_id=wanted)
        if found is None:
            await self.close_with(
                Close.NOT_FOUND, {"type": "error", "code": "not_found", "message": "There is no such chat."}
            )
            return
        view, agent_id = found
        if after > view["conversation"]["last_seq"]:
            await self.close_with(
                Close.SEQ_AHEAD,
                {
                    "type": "error",
                    "code": "seq_ahead",
                    "message": "That number was never sent; resume from 0.",
                    "conversation": wanted,
                    "last_seq": view["conversation"]["last_seq"],
                },
            )
            return
        await self.attach(wanted, after=after, reply={"type": "resumed", **view}, agent_id=agent_id)

    async def frame_message(self, frame: dict[str, Any]) -> None:
        client_id = clean_client_id(frame.get("client_id"))
        text = clean_text(frame.get("text"))
        files = attachment_ids(frame, policy.MAX_ATTACHMENTS_PER_MESSAGE)
        if not text and not files:
            raise ChatRefusedError("empty", "The message is empty.")
        current = self.current()
        if not self.messages.take():
            await self.refuse_for_rate(self.messages, frame)
            return
        stored = await message_writer().store(
            MessageRequest(
                conversation_id=current,
                author_kind=ChatMessage.Author.CUSTOMER,
                author_name=self.me.first_name,
                text=text,
                client_id=client_id,
                account_id=self.me.account_id,
                attachment_ids=files,
            )
        )
        await self.send_json(stored.ack())

    async def frame_typing(self, frame: dict[str, Any]) -> None:
        current = self.current()
        active = frame.get("active") is True
        last_state, last_at = self.typing_sent
        now = time.monotonic()
        if active == last_state and now - last_at < TYPING_REPEAT_SECONDS:
            return
        self.typing_sent = (active, now)
        await deliveries_send(
            typing_deliveries(
                conversation_id=current, by="customer", name=self.me.first_name, active=active, agent_id=self.agent_id
            )
        )

    async def frame_read(self, frame: dict[str, Any]) -> None:
        await db(conversation_read)(conversation_id=self.current(), seq=frame.get("seq"), customer=self.me)

    async def frame_end(self, frame: dict[str, Any]) -> None:
        await db(conversation_end)(
            conversation_id=self.current(), reason=Conversation.EndReason.CUSTOMER, customer=self.me
        )

    async def frame_transcript(self, frame: dict[str, Any]) -> None:
        current = self.current()
        status = await db(transcript_request)(conversation_id=current, customer=self.me)
        await self.send_json({"type": "transcript", "conversation": current, "status": status, "email": self.me.email})

    async def frame_to_case(self, frame: dict[str, Any]) -> None:
        await db(conversation_to_case)(conversation_id=self.current(), customer=self.me)

    async def frame_ping(self, frame: dict[str, Any]) -> None:
        await self.send_json({"type": "pong"})
        await self.heartbeat()
        if self.conversation_id is not None:
            # Renews this connection's presence lease (and says "here" again if it had lapsed).
            await deliveries_send(
                await db(presence_arrive)(conversation_id=self.conversation_id, connection=self.channel_name)
            )

    def on_item(self, message: dict[str, Any]) -> None:
        if message["conversation"] == self.conversation_id:
            self.agent_id = message.get("agent_id")


def agent_hello(*, agent: AgentIdentity) -> dict[str, Any]:
    state = agent_state(user_id=agent.user_id)
    return _hello(
        "agent",
        agent={
            "id": agent.user_id,
            "name": agent.name,
            "status": state.status,
            "capacity": state.capacity,
            "load": state.load,
        },
        conversations=[conversation_for_agent(row) for row in agent_open_conversations(user_id=agent.user_id)],
        queue=queue_snapshot(),
    )


def agent_view(*, agent: AgentIdentity, conversation_id: str) -> dict[str, Any] | None:
    """The conversation if this agent answers it or once did."""
    conversation = (
        Conversation.objects.filter(pk=conversation_id).select_related("account__platform", "agent", "case").first()
    )
    if conversation is None:
        return None
    if (
        conversation.agent_id != agent.user_id
        and not AgentParticipation.objects.filter(conversation=conversation, agent_id=agent.user_id).exists()
    ):
        return None
    view = conversation_for_agent(conversation)
    view["customer_present"] = customers_present(conversation_ids=[conversation.pk])[conversation.pk]
    return view


class AgentConsumer(ChatConnection):
    """``/console/chats/ws``: an agent with the ``chats.work`` permission, several chats at once."""

    role = "agent"
    agent = True

    def __init__(self) -> None:
        super().__init__()
        self.identity: AgentIdentity | None = None
        self.assigned: set[str] = set()
        # What this workspace was last told about each customer's presence (see chat.presence).
        self.presence_shown: dict[str, bool] = {}
        self.typing_sent: dict[str, tuple[bool, float]] = {}
        self.handlers = {
            "status": self.frame_status,
            "subscribe": self.frame_subscribe,
            "unsubscribe": self.frame_unsubscribe,
            "accept": self.frame_accept,
            "message": self.frame_message,
            "typing": self.frame_typing,
            "read": self.frame_read,
            "transfer": self.frame_transfer,
            "end": self.frame_end,
            "to_case": self.frame_to_case,
            "agents": self.frame_agents,
            "ping": self.frame_ping,
        }

    async def on_connect(self) -> None:
        identity: AgentIdentity | None = await db(agent_for)(self.scope)
        if identity is None:
            raise ChatRefusedError("not_signed_in", "Sign in to the console again.", close=Close.NOT_SIGNED_IN)
        if not identity.can_chat:
            raise ChatRefusedError(
                "forbidden", "Chats need the permission 'chats.work'.", permission="chats.work", close=Close.FORBIDDEN
            )
        self.identity, self.session_id = identity, identity.session_id
        await db(_connect_limit)(identity.session_id, self.scope)
        await self.join(agent_group(identity.user_id))
        await self.join(QUEUE_GROUP)
        await db(agent_heartbeat)(user_id=identity.user_id)
        hello = await db(agent_hello)(agent=identity)
        self.assigned = {row["id"] for row in hello["conversations"]}
        await self.send_json(hello)

    @property
    def me(self) -> AgentIdentity:
        assert self.identity is not None  # noqa: S101 (set by on_connect before any frame)
        return self.identity

    async def frame_status(self, frame: dict[str, Any]) -> None:
        await db(agent_status_set)(agent=self.me, status=frame.get("status"), capacity=frame.get("capacity"))

    async def frame_subscribe(self, frame: dict[str, Any]) -> None:
        wanted, after = conversation_id(frame), whole_number(frame, "last_seq")
        view = await db(agent_view)(agent=self.me, conversation_id=wanted)
        if view is None:
            raise ChatRefusedError("not_found", "There is no such chat among yours.")
        if after > view["last_seq"]:
            raise ChatRefusedError(
                "seq_ahead", "That number was never sent; subscribe from 0.", last_seq=view["last_seq"]
            )
        self.presence_shown[wanted] = view["customer_present"]
        await self.send_json({"type": "subscribed", "conversation": view})
        await self.follow(wanted, after=after)

    async def frame_unsubscribe(self, frame: dict[str, Any]) -> None:
        self.unfollow(conversation_id(frame))

    async def frame_accept(self, frame: dict[str, Any]) -> None:
        await db(conversation_accept)(conversation_id=conversation_id(frame), agent=self.me)

    async def frame_message(self, frame: dict[str, Any]) -> None:
        wanted = conversation_id(frame)
        client_id = clean_client_id(frame.get("client_id"))
        text = clean_text(frame.get("text"))
        files = attachment_ids(frame, policy.MAX_ATTACHMENTS_PER_MESSAGE)
        if not text and not files:
            raise ChatRefusedError("empty", "The message is empty.")
        if not self.messages.take():
            await self.refuse_for_rate(self.messages, frame)
            return
        stored = await message_writer().store(
            MessageRequest(
                conversation_id=wanted,
                author_kind=ChatMessage.Author.AGENT,
                author_name=self.me.display_name,
                text=text,
                client_id=client_id,
                agent_id=self.me.user_id,
                attachment_ids=files,
            )
        )
        await self.send_json(stored.ack())

    async def frame_typing(self, frame: dict[str, Any]) -> None:
        wanted = conversation_id(frame)
        if wanted not in self.assigned:
            raise ChatRefusedError("not_assigned", "This chat is not assigned to you.")
        active = frame.get("active") is True
        last_state, last_at = self.typing_sent.get(wanted, (False, 0.0))
        now = time.monotonic()
        if active == last_state and now - last_at < TYPING_REPEAT_SECONDS:
            return
        self.typing_sent[wanted] = (active, now)
        await deliveries_send(
            typing_deliveries(
                conversation_id=wanted, by="agent", name=self.me.display_name, active=active, agent_id=self.me.user_id
            )
        )

    async def frame_read(self, frame: dict[str, Any]) -> None:
        await db(conversation_read)(conversation_id=conversation_id(frame), seq=frame.get("seq"), agent=self.me)

    async def frame_transfer(self, frame: dict[str, Any]) -> None:
        target = frame.get("to")
        if target is not None and (not isinstance(target, int) or isinstance(target, bool)):
            raise ChatRefusedError("bad_frame", "to must be an agent id, or null for the queue.")
        await db(conversation_transfer)(conversation_id=conversation_id(frame), agent=self.me, to_agent_id=target)

    async def frame_end(self, frame: dict[str, Any]) -> None:
        await db(conversation_end)(
            conversation_id=conversation_id(frame), reason=Conversation.EndReason.AGENT, agent=self.me
        )

    async def frame_to_case(self, frame: dict[str, Any]) -> None:
        await db(conversation_to_case)(conversation_id=conversation_id(frame), agent=self.me)

    async def frame_agents(self, frame: dict[str, Any]) -> None:
        agents = await db(agents_for_transfer)(exclude_user_id=self.me.user_id)
        await self.send_json({"type": "agents", "agents": agents})

    async def frame_ping(self, frame: dict[str, Any]) -> None:
        await self.send_json({"type": "pong"})
        await db(agent_heartbeat)(user_id=self.me.user_id)
        await self.heartbeat()
        await self.presence_correct()

    async def presence_correct(self) -> None:
        """Show presence changes a signal missed (a race, a process that died)."""
        watched = [chat for chat in self.assigned if chat in self.presence_shown]
        if not watched:
            return
        for chat, present in (await db(customers_present)(conversation_ids=watched)).items():
            if self.presence_shown.get(chat) != present:
                self.presence_shown[chat] = present
                await self.send_json(presence_frame(conversation_id=chat, present=present))

    async def on_signal(self, frame: dict[str, Any]) -> bool:
        if frame.get("type") == "assigned":
            self.assigned.add(frame["conversation"]["id"])
        elif frame.get("type") == "unassigned":
            self.assigned.discard(frame["conversation"])
            self.presence_shown.pop(frame["conversation"], None)
        elif frame.get("type") == "presence":
            self.presence_shown[frame["conversation"]] = frame["customer"] == "here"
        return True
