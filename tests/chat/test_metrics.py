"""Open chat WebSockets are counted in the Prometheus metrics, by kind, and uncounted
when they close."""

from __future__ import annotations

from prometheus_client import REGISTRY

from tests.chat.support import ChatWorld, Client, run


def _open(kind: str) -> float:
    return REGISTRY.get_sample_value("websocket_connections", {"kind": kind}) or 0.0


def test_open_chat_connections_are_counted(world: ChatWorld) -> None:
    agent, customer = world.agent(), world.customer()
    before_agents, before_customers = _open("chat_agent"), _open("chat_customer")

    async def scenario() -> None:
        staff = await Client.agent(agent)
        person = await Client.customer(customer)
        assert _open("chat_agent") == before_agents + 1
        assert _open("chat_customer") == before_customers + 1
        await person.communicator.disconnect()
        await staff.communicator.disconnect()

    run(scenario)
    assert _open("chat_agent") == before_agents
    assert _open("chat_customer") == before_customers
