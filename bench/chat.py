"""Live chat under load: 2,000 customers each sending a message a second to agents.

Usage: python bench/chat.py [--customers 2000] [--seconds 30] [--agents 40] [--processes 4]

What runs, on this machine:
1. a fresh data dir, ``connect-support migrate``, and (in a subprocess) N eligible accounts
   with signed-in support-site sessions and M agents with signed-in console sessions;
2. ``connect-support serve``: ONE server process (the embedded default: SQLite, in-memory
   channel layer; PostgreSQL + Redis when DATABASE_URL / REDIS_URL are set);
3. one agents process: M agent WebSockets set online with room for all chats; each
   subscribes to the chats routing gives it and notes when each customer message arrives;
4. P customer processes: N customer WebSockets in all; each starts a chat, then for
   ``--seconds`` sends one message a second (random phase) carrying its send time;
5. the floor: a bare ``websockets`` echo server (one process, same event loop library)
   and the same P client processes sending the same load; the latency is the echo's
   round trip (in → server → out, the same one hop as customer → server → agent).

Delivery latency is the time from a customer's send to the agent's receipt (one clock:
same machine). "Lost" counts messages that were acknowledged (stored) but never reached
an agent, plus messages never acknowledged. The client processes use uvloop and only
count; their CPU time is printed so that one can see they were not the bottleneck.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import bench_env, cli, data_dir, free_port, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
ORIGIN = "http://127.0.0.1"


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


# ---------------------------------------------------------------- setup (Django side)


def setup(customers: int, agents: int, out: Path) -> None:
    """Accounts with signed-in sessions, and agents; written as cookies to ``out``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connect_support.settings")
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from connect_support.accounts.models import ConnectedAccount, Person, Platform
    from connect_support.chat.models import AgentStatus
    from connect_support.identity.models import SignInSession
    from connect_support.identity.sessions import AGENT_SESSION_KEY, SUPPORT_SESSION_KEY

    now = timezone.now()
    expires = now + timezone.timedelta(hours=12)
    platform = Platform.objects.create(name=f"Bench platform {uuid.uuid4().hex[:6]}")
    accounts = ConnectedAccount.objects.bulk_create(
        [
            ConnectedAccount(
                platform=platform, email=f"owner{n}@bench.example", dashboard_type="none", losses_payments="stripe"
            )
            for n in range(customers)
        ]
    )
    persons = Person.objects.bulk_create(
        [
            Person(
                account=account,
                first_name=f"Owner{n}",
                last_name="Bench",
                email=account.email,
                relationship={"representative": True},
            )
            for n, account in enumerate(accounts)
        ]
    )
    sessions = SignInSession.objects.bulk_create(
        [
            SignInSession(
                kind="support",
                method="sms",
                account=account,
                person=person,
                created_at=now,
                authenticated_at=now,
                last_seen_at=now,
                expires_at=expires,
            )
            for account, person in zip(accounts, persons, strict=True)
        ]
    )
    store = SessionStore()
    rows, customer_cookies = [], []
    for row in sessions:
        key = store._get_new_session_key()
        rows.append(
            Session(session_key=key, session_data=store.encode({SUPPORT_SESSION_KEY: row.pk}), expire_date=expires)
        )
        customer_cookies.append(key)
    Session.objects.bulk_create(rows)

    group, _ = Group.objects.get_or_create(name="support agent")
    agent_cookies = []
    for n in range(agents):
        user = User.objects.create(username=f"agent{n}-{uuid.uuid4().hex[:6]}@bench.example", is_staff=True)
        user.set_unusable_password()
        user.first_name = f"Agent{n}"
        user.save()
        user.groups.add(group)
        sign_in = SignInSession.objects.create(
            kind="agent",
            method="password+totp",
            user=user,
            created_at=now,
            authenticated_at=now,
            last_seen_at=now,
            expires_at=expires,
        )
        session = SessionStore()
        session.update(
            {
                "_auth_user_id": str(user.pk),
                "_auth_user_backend": "connect_support.identity.backends.RoleAwareBackend",
                "_auth_user_hash": user.get_session_auth_hash(),
                AGENT_SESSION_KEY: sign_in.pk,
            }
        )
        session.create()
        AgentStatus.objects.create(user=user, status="offline", updated_at=now)
        agent_cookies.append(session.session_key)
    out.write_text(json.dumps({"customers": customer_cookies, "agents": agent_cookies}))


# ---------------------------------------------------------------- load generator


def _use_uvloop() -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass


async def _connect(url: str, cookie: str | None) -> Any:
    from websockets.asyncio.client import connect

    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
    # Browsers offer permessage-deflate; so do our clients unless told not to.
    compression = None if os.environ.get("CHAT_BENCH_COMPRESSION") == "off" else "deflate"
    for attempt in range(20):
        try:
            return await connect(url, origin=ORIGIN, additional_headers=headers, max_size=2**20, open_timeout=30,
                                 ping_interval=None, compression=compression)  # fmt: skip
        except (OSError, TimeoutError):
            await asyncio.sleep(0.2 * (attempt + 1))
    raise RuntimeError(f"could not connect to {url}")


async def _heartbeat(socket: Any) -> None:
    """Ping like the browser clients do (the server closes silent connections)."""
    while True:
        await asyncio.sleep(20)
        try:
            await socket.send('{"type":"ping"}')
        except Exception:  # closed: the reader reports it
            return


def _report(payload: dict[str, Any]) -> None:
    print(json.dumps(payload), flush=True)


async def _wait_line(expected: str) -> str:
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line or line.startswith(expected):
            return line.strip()


async def agents_main(url: str, cookies: list[str], capacity: int) -> None:
    received: dict[str, float] = {}
    latencies: list[float] = []
    sent_at: list[float] = []
    subscribed: set[str] = set()
    beats: list[asyncio.Task[None]] = []

    async def one(cookie: str) -> None:
        socket = await _connect(url, cookie)
        beats.append(asyncio.create_task(_heartbeat(socket)))
        await socket.send(json.dumps({"type": "status", "status": "online", "capacity": capacity}))
        async for raw in socket:
            frame = json.loads(raw)
            kind = frame.get("type")
            if kind == "assigned":
                conversation = frame["conversation"]["id"]
                if conversation not in subscribed:
                    subscribed.add(conversation)
                    await socket.send(json.dumps({"type": "subscribe", "conversation": conversation, "last_seq": 0}))
            elif kind == "item" and frame.get("author", {}).get("kind") == "customer":
                text = frame["text"]
                if text.startswith("t="):
                    sent_ns = int(text[2:].split(" ", 1)[0])
                    key = f"{frame['conversation']}/{frame['client_id']}"
                    if key not in received:
                        received[key] = time.time_ns()
                        latencies.append((received[key] - sent_ns) / 1e6)
                        sent_at.append(sent_ns / 1e9)

    tasks = [asyncio.create_task(one(cookie)) for cookie in cookies]
    await asyncio.sleep(1)
    _report({"ready": True})
    await _wait_line("report")
    _report({"subscribed": len(subscribed)})
    await _wait_line("stop")
    for task in tasks:
        task.cancel()
    _report({"received": sorted(received), "latencies": latencies, "sent_at": sent_at, "cpu": _cpu_seconds()})


async def customers_main(url: str, cookies: list[str], seconds: float, echo: bool) -> None:  # noqa: PLR0915 (one load script, read top to bottom)
    sockets: list[Any] = []
    acked: set[str] = set()
    sent: list[str] = []
    ack_latencies: list[float] = []
    round_trips: list[float] = []
    errors: list[str] = []
    pending_ack: dict[str, int] = {}

    async def reader(socket: Any) -> None:
        try:
            await read_all(socket)
        except Exception as error:  # a dropped connection: counted
            errors.append(f"connection lost: {error!r}"[:200])

    async def read_all(socket: Any) -> None:
        async for raw in socket:
            frame = json.loads(raw)
            kind = frame.get("type")
            if kind == "ack":
                key = f"{frame['conversation']}/{frame['client_id']}"
                acked.add(key)
                started = pending_ack.pop(key, None)
                if started is not None:
                    ack_latencies.append((time.time_ns() - started) / 1e6)
            elif kind == "echo" and "t" in frame:
                round_trips.append((time.time_ns() - int(frame["t"])) / 1e6)
                acked.add(frame["key"])
            elif kind == "error":
                errors.append(frame.get("code", "?"))

    conversations: list[str] = []
    beats: list[asyncio.Task[None]] = []

    async def open_one(cookie: str) -> None:
        socket = await _connect(url, None if echo else cookie)
        if echo:
            sockets.append(socket)
            conversations.append(uuid.uuid4().hex)
            beats.append(asyncio.create_task(_heartbeat(socket)))
            return
        hello = json.loads(await socket.recv())
        if hello.get("type") != "hello":
            raise RuntimeError(f"no hello: {hello}")
        start = {"type": "start", "client_id": uuid.uuid4().hex, "text": "Hello", "topic": "payouts"}
        await socket.send(json.dumps(start))
        while True:
            frame = json.loads(await socket.recv())
            if frame["type"] == "started":
                conversations.append(frame["conversation"]["id"])
                sockets.append(socket)
                beats.append(asyncio.create_task(_heartbeat(socket)))
                return
            if frame["type"] == "error":
                raise RuntimeError(frame["code"])

    async def open_with_retries(cookie: str) -> None:
        for attempt in range(5):
            try:
                await open_one(cookie)
                return
            except Exception as error:  # counted, then tried again
                errors.append(f"connect attempt {attempt + 1}: {error!r}"[:200])
                await asyncio.sleep(1 + attempt)

    # Connections arrive in waves, as they would over a few minutes, not all in one instant.
    wave = 20
    for first in range(0, len(cookies), wave):
        await asyncio.gather(*(open_with_retries(cookie) for cookie in cookies[first : first + wave]))
        await asyncio.sleep(0.05)
    readers = [asyncio.create_task(reader(socket)) for socket in sockets]
    _report({"ready": True, "connected": len(sockets), "errors": errors[:5]})
    line = await _wait_line("go")
    begin = float(line.split()[1])
    await asyncio.sleep(max(0.0, begin - time.time()))

    async def talk(socket: Any, conversation: str) -> None:
        await asyncio.sleep(random.random())
        deadline = time.monotonic() + seconds
        n = 0
        while time.monotonic() < deadline:
            n += 1
            client_id = uuid.uuid4().hex
            key = f"{conversation}/{client_id}"
            now = time.time_ns()
            sent.append(key)
            try:
                if echo:
                    await socket.send(json.dumps({"type": "echo", "t": now, "key": key}))
                else:
                    pending_ack[key] = now
                    await socket.send(json.dumps({"type": "message", "client_id": client_id, "text": f"t={now} n={n}"}))
            except Exception as error:  # a dropped connection: counted, its messages count as not acked
                errors.append(f"send failed: {error!r}"[:200])
                return
            await asyncio.sleep(max(0.0, 1.0 - (time.time_ns() - now) / 1e9))

    await asyncio.gather(*(talk(s, c) for s, c in zip(sockets, conversations, strict=True)))
    await asyncio.sleep(3)
    for task in readers:
        task.cancel()
    _report(
        {
            "sent": sent,
            "acked": sorted(acked),
            "ack_latencies": ack_latencies,
            "round_trips": round_trips,
            "errors": errors[:20],
            "error_count": len(errors),
            "cpu": _cpu_seconds(),
        }
    )


async def echo_server_main(port: int) -> None:
    from websockets.asyncio.server import serve

    async def handler(socket: Any) -> None:
        async for raw in socket:
            frame = json.loads(raw)
            frame["type"] = "echo"
            await socket.send(json.dumps(frame))

    async with serve(handler, "127.0.0.1", port, max_size=2**20, ping_interval=None, backlog=4096):
        print("listening", flush=True)
        await asyncio.Future()


# ---------------------------------------------------------------- orchestration


def _child(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def _read_json(child: subprocess.Popen[str]) -> dict[str, Any]:
    assert child.stdout is not None
    while True:
        line = child.stdout.readline()
        if not line:
            raise RuntimeError("a load process ended early")
        if line.startswith("{"):
            result: dict[str, Any] = json.loads(line)
            return result


def _tell(child: subprocess.Popen[str], line: str) -> None:
    assert child.stdin is not None
    child.stdin.write(line + "\n")
    child.stdin.flush()


@contextmanager
def _running(command: list[str], env: dict[str, str], health: str | None) -> Any:
    log = open(env.get("CHAT_BENCH_SERVER_LOG", os.devnull), "ab")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(command, env=env, stdout=log, stderr=log, cwd=ROOT)
    try:
        if health:
            wait_until_up(health)
        else:
            time.sleep(1.5)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _summarize(errors: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for error in errors:
        key = error.split(":", 1)[0] + ": " + error.split(":", 1)[-1].strip()[:60]
        counts[key] = counts.get(key, 0) + 1
    return counts


def _split(items: list[str], parts: int) -> list[list[str]]:
    return [items[i::parts] for i in range(parts)]


def _process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def run_chat(
    args: argparse.Namespace, env: dict[str, str], cookies: dict[str, list[str]], *, workers: int = 1
) -> dict[str, Any]:
    """``workers`` > 1 runs that many web processes (``serve --workers``, scale-out only):
    the kernel spreads the connections, Redis carries messages between processes."""
    port = free_port()
    url = f"ws://127.0.0.1:{port}/"
    server_env = {
        **env,
        "SMTPD_PORT": "0",
        "CHAT_BENCH_SERVER_LOG": os.environ.get("CHAT_BENCH_SERVER_LOG")
        or str(Path(env["CONNECT_SUPPORT_DATA_DIR"]) / "server.log"),
    }
    command = [sys.executable, "-m", "connect_support", "serve", "--port", str(port), "--workers", str(workers)]
    with _running(command, server_env, f"http://127.0.0.1:{port}/healthz") as server:
        capacity = -(-args.customers // args.agents)
        agents = _child("agents", "--url", url + "console/chats/ws", "--capacity", str(capacity), env=env)
        _tell(agents, json.dumps(cookies["agents"]))
        _read_json(agents)
        groups = _split(cookies["customers"], args.processes)
        customers = []
        for group in groups:
            child = _child(
                "customers", "--url", url + "embedded-connect/chat/ws", "--seconds", str(args.seconds), env=env
            )
            _tell(child, json.dumps(group))
            customers.append(child)
        ready = [_read_json(child) for child in customers]
        connected = sum(r["connected"] for r in ready)
        time.sleep(2)
        _tell(agents, "report")
        subscribed = _read_json(agents)["subscribed"]
        cpu_before = _process_cpu(server.pid)
        begin = time.time() + 1
        for child in customers:
            _tell(child, f"go {begin}")
        # For attaching a profiler to the server during the measured part.
        print(f"load running: server pid {server.pid}", file=sys.stderr, flush=True)
        results = [_read_json(child) for child in customers]
        cpu_server = _process_cpu(server.pid) - cpu_before
        _tell(agents, "stop")
        agent_result = _read_json(agents)
        for child in [*customers, agents]:
            child.wait(timeout=30)
    log = Path(server_env["CHAT_BENCH_SERVER_LOG"])
    server_errors = [line[:160] for line in log.read_text(errors="replace").splitlines() if '"ERROR"' in line]
    sent = [key for r in results for key in r["sent"]]
    acked = {key for r in results for key in r["acked"]}
    received = set(agent_result["received"])
    latencies = agent_result["latencies"]
    acks = [v for r in results for v in r["ack_latencies"]]
    # Where the slow deliveries were: per second of the run, the worst latency.
    by_second: dict[int, float] = {}
    start = min(agent_result["sent_at"], default=0.0)
    for at, latency in zip(agent_result["sent_at"], latencies, strict=True):
        second = int(at - start)
        by_second[second] = max(by_second.get(second, 0.0), latency)
    return {
        "worst_seconds": sorted(by_second.items(), key=lambda pair: -pair[1])[:6],
        "connected": connected,
        "subscribed": subscribed,
        "sent": len(sent),
        "acked": len(acked),
        "not_acked": len([key for key in sent if key not in acked]),
        "lost": len(acked - received),
        "p50": _percentile(latencies, 0.50),
        "p99": _percentile(latencies, 0.99),
        "max": max(latencies) if latencies else float("nan"),
        "ack_p50": _percentile(acks, 0.50),
        "ack_p99": _percentile(acks, 0.99),
        "errors": _summarize([e for r in results for e in r["errors"]]),
        "server_cpu": cpu_server / args.seconds,
        "client_cpu": (sum(r["cpu"] for r in results) + agent_result["cpu"]),
        "server_errors": server_errors[:3],
        "server_error_count": len(server_errors),
    }


def run_floor(args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    port = free_port()
    url = f"ws://127.0.0.1:{port}/"
    with _running(
        [sys.executable, str(Path(__file__).resolve()), "echo-server", "--port", str(port)], env, None
    ) as server:
        customers = []
        for group in _split([str(n) for n in range(args.customers)], args.processes):
            child = _child("customers", "--url", url, "--seconds", str(args.seconds), "--echo", env=env)
            _tell(child, json.dumps(group))
            customers.append(child)
        ready = [_read_json(child) for child in customers]
        cpu_before = _process_cpu(server.pid)
        begin = time.time() + 1
        for child in customers:
            _tell(child, f"go {begin}")
        results = [_read_json(child) for child in customers]
        cpu_server = _process_cpu(server.pid) - cpu_before
        for child in customers:
            child.wait(timeout=30)
    sent = [key for r in results for key in r["sent"]]
    echoed = {key for r in results for key in r["acked"]}
    trips = [v for r in results for v in r["round_trips"]]
    return {
        "connected": sum(r["connected"] for r in ready),
        "sent": len(sent),
        "lost": len([key for key in sent if key not in echoed]),
        "p50": _percentile(trips, 0.50),
        "p99": _percentile(trips, 0.99),
        "max": max(trips) if trips else float("nan"),
        "server_cpu": cpu_server / args.seconds,
        "client_cpu": sum(r["cpu"] for r in results),
    }


def _print_report(args: argparse.Namespace, env: dict[str, str], ours: dict[str, Any], floor: dict[str, Any]) -> None:
    print(f"load average before the run (other programs on this machine): {args.load_before}")
    mode = "PostgreSQL + Redis" if env.get("DATABASE_URL") else "embedded (SQLite, in-memory channel layer)"
    compression = "off" if args.no_compression else "permessage-deflate (as browsers)"
    print(
        f"mode: {mode}; 1 server process; {os.cpu_count()} cores; {args.processes} client processes + 1 agents "
        f"process; compression {compression}"
    )
    print(
        f"{args.customers} customers x 1 msg/s for {args.seconds}s; {args.agents} agents; "
        f"connected {ours['connected']}, chats subscribed by agents {ours['subscribed']}"
    )
    floor_line = (
        f"sent {floor['sent']}, lost {floor['lost']}; round trip p50 {floor['p50']:.1f} ms, "
        f"p99 {floor['p99']:.1f} ms, max {floor['max']:.1f} ms; server CPU {floor['server_cpu']:.0%}, "
        f"clients CPU {floor['client_cpu']:.0f}s"
    )
    print(f"floor (bare websockets echo): {floor_line}")
    counts = f"sent {ours['sent']}, acked {ours['acked']}, not acked {ours['not_acked']}, lost {ours['lost']}"
    delivery = f"delivery p50 {ours['p50']:.1f} ms, p99 {ours['p99']:.1f} ms, max {ours['max']:.1f} ms"
    acks = f"ack p50 {ours['ack_p50']:.1f} ms, p99 {ours['ack_p99']:.1f} ms"
    cpu = f"server CPU {ours['server_cpu']:.0%}, clients CPU {ours['client_cpu']:.0f}s"
    print(f"chat (customer -> stored -> agent): {counts}; {delivery}; {acks}; {cpu}")
    worst = ", ".join(f"{second}s: {latency:.0f} ms" for second, latency in sorted(ours["worst_seconds"]))
    print(f"worst delivery by second of the run: {worst}")
    print(f"client errors {ours['errors']}; server errors {ours['server_error_count']} {ours['server_errors']}")
    verdict = "meets" if ours["p99"] <= 150 and ours["lost"] == 0 and ours["not_acked"] == 0 else "MISSES"
    print(
        f"chat delivery p99 / floor p99 = {ours['p99'] / floor['p99']:.1f}x; "
        f"p99 {ours['p99']:.0f} ms (target <= 150), lost {ours['lost'] + ours['not_acked']} (target 0): "
        f"{verdict} the bar"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command")
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--agents", type=int, default=40)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument(
        "--no-compression", action="store_true", help="clients do not offer permessage-deflate (browsers do)"
    )
    setup_parser = commands.add_parser("setup")
    setup_parser.add_argument("--customers", type=int, required=True)
    setup_parser.add_argument("--agents", type=int, required=True)
    setup_parser.add_argument("--out", type=Path, required=True)
    agents_parser = commands.add_parser("agents")
    agents_parser.add_argument("--url", required=True)
    agents_parser.add_argument("--capacity", type=int, required=True)
    customers_parser = commands.add_parser("customers")
    customers_parser.add_argument("--url", required=True)
    customers_parser.add_argument("--seconds", type=float, required=True)
    customers_parser.add_argument("--echo", action="store_true")
    echo_parser = commands.add_parser("echo-server")
    echo_parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()

    if args.command == "setup":
        setup(args.customers, args.agents, args.out)
        return
    if args.command in {"agents", "customers", "echo-server"}:
        _use_uvloop()
        if args.command == "echo-server":
            asyncio.run(echo_server_main(args.port))
            return
        cookies = json.loads(sys.stdin.readline())
        if args.command == "agents":
            asyncio.run(agents_main(args.url, cookies, args.capacity))
        else:
            asyncio.run(customers_main(args.url, cookies, args.seconds, args.echo))
        return

    args.load_before = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    with data_dir() as directory:
        env = bench_env(directory)
        env["PYTHONPATH"] = str(ROOT / "src")
        env["CHAT_BENCH_COMPRESSION"] = "off" if args.no_compression else "on"
        cli(env, "migrate")
        cookie_file = directory / "cookies.json"
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "setup", "--customers", str(args.customers),
             "--agents", str(args.agents), "--out", str(cookie_file)],
            env=env, check=True, cwd=ROOT,
        )  # fmt: skip
        cookies = json.loads(cookie_file.read_text())
        ours = run_chat(args, env, cookies)
        floor = run_floor(args, env)
    _print_report(args, env, ours, floor)


if __name__ == "__main__":
    main()
