"""Email throughput: inbound mail through the SMTP receiver into threaded case updates, and
the outbound drain rate of the transactional outbox, each against a floor in the same run.

Usage: python bench/mail.py [--cases 50] [--replies 1000] [--clients 4] [--outbound 500]

Inbound: starts ``connect-support smtpd`` (embedded SQLite unless DATABASE_URL/REDIS_URL are
set), opens ``--cases`` cases by mail, then ``--clients`` SMTP clients send ``--replies``
replies to the cases' reply addresses. A reply counts once the receiver has answered 250,
which it does only after the message is stored and threaded. Floor: a bare aiosmtpd server
that accepts and discards, in its own process, under the same clients.

Outbound: ``--outbound`` acknowledgements are written to the outbox, then drained over SMTP
to a sink server. Floor: smtplib sending the same messages over one connection.
"""

from __future__ import annotations

import argparse
import os
import secrets
import smtplib
import subprocess
import sys
import threading
import time
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from _harness import bench_env, cli, data_dir, free_port

# Every run's senders are its own: the PostgreSQL database may hold earlier runs' cases.
RUN = "run" + secrets.token_hex(4)
SINK = """
import sys, time
from aiosmtpd.controller import Controller
class Discard:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"
controller = Controller(Discard(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
"""


def _message(*, sender: str, to: str, subject: str, body: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="shop.example")
    message.set_content(body)
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux): what it costs, whatever else runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_for_smtp(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _send_all(port: int, messages: list[tuple[str, bytes]], clients: int) -> float:
    """Messages per second through ``clients`` connections; every one must get a 250."""
    chunks = [messages[i::clients] for i in range(clients)]
    errors: list[str] = []

    def run(chunk: list[tuple[str, bytes]]) -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
            for to, raw in chunk:
                try:
                    client.sendmail("robin@shop.example", [to], raw)
                except smtplib.SMTPException as error:
                    errors.append(str(error))

    threads = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} messages refused, e.g. {errors[0]}")
    return len(messages) / elapsed


def _inbound(env: dict[str, str], args: argparse.Namespace) -> tuple[float, float, int, float]:
    from connect_support.cases.models import Case, CaseMessage

    port = free_port()
    receiver = subprocess.Popen(
        [sys.executable, "-m", "connect_support", "smtpd", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_smtp(port)
        # Each case has its own requester, as in life (one sender's bursts are rate limited).
        opening = [
            (
                "support@localhost",
                _message(sender=f"owner{n}@{RUN}.example", to="support@localhost", subject=f"Question {n}", body="Hi."),
            )
            for n in range(args.cases)
        ]
        _send_all(port, opening, args.clients)
        cases = list(
            Case.objects.filter(requester_email__endswith=f"@{RUN}.example").values_list(
                "reply_token", "requester_email"
            )
        )
        assert len(cases) == args.cases, f"{len(cases)} cases opened, {args.cases} expected"
        replies = []
        for n in range(args.replies):
            token, requester = cases[n % len(cases)]
            to = f"support+{token}@localhost"
            body = f"Reply {n}: more details.\n\nOn Tue, 3 Jun 2025, Connect Support wrote:\n> Hello\n"
            replies.append((to, _message(sender=requester, to=to, subject="Re: Question", body=body)))
        cpu_before = _cpu_seconds(receiver.pid)
        rate = _send_all(port, replies, args.clients)
        cpu_ms = (_cpu_seconds(receiver.pid) - cpu_before) * 1000 / len(replies)
        threaded = CaseMessage.objects.filter(
            author_kind="requester", body_text__startswith="Reply ", author_email__endswith=f"@{RUN}.example"
        ).count()
    finally:
        receiver.terminate()
        receiver.wait(timeout=15)

    floor_port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "-c", SINK, str(floor_port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert sink.stdout is not None
        assert sink.stdout.readline().strip() == "ready"
        floor = _send_all(floor_port, replies, args.clients)
    finally:
        sink.communicate("", timeout=15)
    return rate, floor, threaded, cpu_ms


def _outbound(args: argparse.Namespace, sink_port: int) -> tuple[float, float, int, float]:
    from django.core.mail import EmailMultiAlternatives

    from connect_support.cases.delivery import outbound_drain
    from connect_support.cases.models import Case, OutboundEmail
    from connect_support.cases.services import MessageInput, case_create

    for n in range(args.outbound):
        case_create(
            requester_email=f"outbound{n}@{RUN}.example",
            requester_name="Owner",
            subject=f"Outbound {n}",
            message=MessageInput(body_text="Hello."),
            channel=Case.Channel.WEB,
        )
    mine = OutboundEmail.objects.filter(
        to__endswith=f"@{RUN}.example", kind="acknowledgement", to__startswith="outbound"
    )
    due = mine.filter(status="pending").count()
    started, cpu_started = time.perf_counter(), time.process_time()
    sent = 0
    while True:
        report = outbound_drain(limit=1000)
        sent += report.sent
        if report.total == 0:
            break
    drain_rate = sent / (time.perf_counter() - started)
    cpu_ms = (time.process_time() - cpu_started) * 1000 / max(sent, 1)

    rows = list(mine.filter(status="sent")[: args.outbound])
    raws = []
    for row in rows:
        email = EmailMultiAlternatives(row.subject, row.text_body, row.from_email, [row.to], headers=row.headers)
        email.attach_alternative(row.html_body, "text/html")
        raws.append((row.to, email.message().as_bytes(linesep="\r\n")))
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", sink_port, timeout=60) as client:
        for to, raw in raws:
            client.sendmail("support@localhost", [to], raw)
    floor = len(raws) / (time.perf_counter() - started)
    return drain_rate, floor, due - mine.filter(status="sent").count(), cpu_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=50)
    parser.add_argument("--replies", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--outbound", type=int, default=500)
    args = parser.parse_args()
    with data_dir() as directory:
        env = bench_env(directory)
        sink_port = free_port()
        env["EMAIL_URL"] = f"smtp://127.0.0.1:{sink_port}"
        cli(env, "migrate")
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "connect_support.settings"
        import django

        django.setup()
        inbound_rate, inbound_floor, threaded, inbound_cpu = _inbound(env, args)
        sink = subprocess.Popen(
            [sys.executable, "-c", SINK, str(sink_port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        try:
            assert sink.stdout is not None
            assert sink.stdout.readline().strip() == "ready"
            drain_rate, drain_floor, unsent, drain_cpu = _outbound(args, sink_port)
        finally:
            sink.communicate("", timeout=15)
    mode = "PostgreSQL + Redis" if os.environ.get("DATABASE_URL") else "embedded (SQLite)"
    print(f"mode: {mode}; {args.cases} cases, {args.replies} replies over {args.clients} SMTP connections")
    print(f"machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other processes share the CPU)")
    print(
        f"inbound  SMTP → threaded case updates {inbound_rate:7.1f} msg/s  (floor {inbound_floor:.0f} msg/s); "
        f"receiver CPU {inbound_cpu:.1f} ms/msg = {1000 / inbound_cpu:.0f} msg/s per free core"
    )
    print(f"         threaded {threaded} of {args.replies} replies")
    print(
        f"outbound outbox drain over SMTP       {drain_rate:7.1f} msg/s  (floor {drain_floor:.0f} msg/s); "
        f"sender CPU {drain_cpu:.1f} ms/msg = {1000 / drain_cpu:.0f} msg/s per free core"
    )
    print(f"         {unsent} of {args.outbound} left unsent")
    if threaded != args.replies or unsent:
        raise SystemExit("lost mail: see the counts above")
    print(
        f"inbound {inbound_rate:.0f} msg/s = {inbound_rate / inbound_floor:.2f} × floor, "
        f"{1000 / inbound_cpu:.0f} msg/s per core (target >= 100 msg/s); "
        f"outbound drain {drain_rate:.0f} msg/s = {drain_rate / drain_floor:.2f} × floor"
    )


if __name__ == "__main__":
    main()
