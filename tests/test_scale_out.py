"""The scale-out journey across real processes on PostgreSQL and Redis: two web processes,
a job worker and the SMTP receiver. A customer on one web process chats with an agent on
the other; a case opened through one is answered by mail the SMTP receiver ingests, with the
worker sending the mail; a publish made in another process invalidates the page cache of a
web process."""

from __future__ import annotations

import asyncio
import json
import os
import re
import smtplib
import subprocess
import sys
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.cases.conftest import SmtpSink
from tests.chat.remote import ROOT, Server, free_port, manage, server_env
from tests.chat.test_fault import _postgres_database
from tests.chat.test_two_processes import _chat_across

pytestmark = pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")),
    reason="needs DATABASE_URL (PostgreSQL) and REDIS_URL: CI's second run sets them",
)
ARTICLE = "payouts/failed-payouts"


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[dict[str, str], SmtpSink]]:
    sink = SmtpSink()
    sink.start()
    database = _postgres_database()
    url = next(database)
    try:
        env = server_env(
            tmp_path,
            DATABASE_URL=url,
            REDIS_URL=os.environ["REDIS_URL"],
            EMAIL_URL=f"smtp://127.0.0.1:{sink.port}",
            MAIL_DOMAIN="support.test",
            PUBLIC_URL="http://127.0.0.1",
        )
        yield env, sink
    finally:
        next(database, None)
        sink.stop()


def _process(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    log = open(Path(env["CONNECT_SUPPORT_DATA_DIR"]) / f"{args[0]}.log", "ab")  # noqa: SIM115
    return subprocess.Popen([sys.executable, "-m", "connect_support", *args], env=env, cwd=ROOT, stdout=log, stderr=log)


def _wait(condition: object, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _rows(env: dict[str, str], query: str, *params: object) -> list[tuple[object, ...]]:
    with psycopg.connect(env["DATABASE_URL"]) as connection:
        return connection.execute(query, params).fetchall()


def test_the_journey_across_processes(cluster: tuple[dict[str, str], SmtpSink]) -> None:
    env, sink = cluster
    manage(env, "connect_support", "migrate")
    manage(env, "connect_support", "load-content")
    people = json.loads(manage(env, "tests.chat.remote", "setup"))
    smtpd_port = free_port()
    first, second = Server(env), Server(env)
    worker = _process(env, "worker")
    smtpd = _process(env, "smtpd", "--port", str(smtpd_port))
    first.start()
    second.start()
    try:
        # 1. Live chat: the customer on the first process, the agent on the second.
        asyncio.run(_chat_across(first, second, people))

        # 2. A case opened through the first web process; the worker sends its acknowledgement.
        web1 = httpx.Client(base_url=f"http://127.0.0.1:{first.port}", follow_redirects=True, timeout=20)
        form_page = web1.get("/embedded-connect/cases/new/")
        assert form_page.status_code == 200
        token = re.search(r'name="form_token" value="([^"]+)"', form_page.text)
        assert token
        sent = web1.post(
            "/embedded-connect/cases/new/",
            data={
                "csrfmiddlewaretoken": web1.cookies["csrftoken"],
                "form_token": token.group(1),
                "name": "Dana Baker",
                "email": "dana@bakery.example",
                "topic": "payouts",
                "subject": "Where is my payout?",
                "description": "My payout from Monday has not arrived in my bank account.",
            },
            headers={"Referer": f"http://127.0.0.1:{first.port}/embedded-connect/cases/new/"},
        )
        assert sent.status_code == 200, sent.text[-500:]
        (case_id, reply_token) = _rows(env, "SELECT id, reply_token FROM cases_case")[0]
        acknowledgement = sink.wait_for(1, timeout=30)[0]
        assert acknowledgement["To"].endswith("dana@bakery.example")
        reply_to = str(acknowledgement["Reply-To"])
        assert str(reply_token) in reply_to

        # 3. The customer's reply arrives through the SMTP receiver process and joins the case.
        reply = EmailMessage()
        reply["From"] = "Dana Baker <dana@bakery.example>"
        reply["To"] = reply_to
        reply["Subject"] = f"Re: {acknowledgement['Subject']}"
        reply["In-Reply-To"] = acknowledgement["Message-ID"]
        reply["Message-ID"] = "<reply-1@bakery.example>"
        reply.set_content("It arrived this morning after all, thank you!")
        with smtplib.SMTP("127.0.0.1", smtpd_port, timeout=20) as smtp:
            smtp.send_message(reply)
        _wait(
            lambda: (
                _rows(
                    env,
                    "SELECT count(*) FROM cases_casemessage WHERE case_id = %s AND body_text LIKE %s",
                    case_id,
                    "%arrived this morning%",
                )[0][0]
                == 1
            ),
            "the reply to join the case",
        )

        # 4. A publish in another process reaches the second web process's page cache.
        web2 = httpx.Client(base_url=f"http://127.0.0.1:{second.port}", timeout=20)
        before = web2.get(f"/embedded-connect/{ARTICLE}/")
        assert before.status_code == 200
        assert web2.get(f"/embedded-connect/{ARTICLE}/").text == before.text  # served from the cache
        manage(env, "tests.scale_out_tools", "publish", ARTICLE, "Why a payout failed, and what happens next")
        _wait(
            lambda: "Why a payout failed, and what happens next" in web2.get(f"/embedded-connect/{ARTICLE}/").text,
            "the second process to serve the new title",
            timeout=10,
        )
    finally:
        first.stop()
        second.stop()
        for process in (worker, smtpd):
            process.terminate()
            process.wait(timeout=15)
