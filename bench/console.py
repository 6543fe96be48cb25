"""Console latency on PostgreSQL with 100,000 cases and 1,000,000 messages.

Fills a dedicated PostgreSQL database (``bench_console`` on the local server unless
``DATABASE_URL`` names another; its cases are replaced when their number differs from
``--cases``), starts ``connect-support serve`` on it, signs an agent in, and times over
real HTTP, one request at a time:

- the inbox (``/console/``, the agent's default queue);
- a filtered inbox (all open cases, one topic, high priority);
- a case view (``/console/cases/<number>/``; skipped with a message when the server has
  no such page);
- a case search (a mix: common and rare words, two words, a case number, an address).

    .venv/bin/python bench/console.py [--cases 100000] [--messages-per-case 10] [--requests 200]

Rows are written with COPY; every column the models define gets its default, so the
script keeps working when the cases app grows fields. The last line is the summary:
each p95 against the 100 ms target and against the p95 of a floor timed in the same
rounds (the agent's own page, ``/console/me/``), which shows how busy the machine was.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from _harness import free_port, server  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_console"
TARGET_MS = 100.0
BENCH_NUMBERS = 20_000_000  # far above what the product's counter hands out
TOPICS = ("accounts", "declines", "disputes", "fraud", "legal", "payments", "payouts", "privacy", "refunds", "reserves")
DOMAIN = [
    "payout",
    "refund",
    "dispute",
    "charge",
    "balance",
    "reserve",
    "bank",
    "transfer",
    "card",
    "declined",
    "verification",
    "document",
    "identity",
    "business",
    "tax",
    "invoice",
    "fee",
    "account",
    "owner",
    "customer",
    "order",
    "subscription",
    "currency",
    "delay",
    "missing",
    "pending",
    "failed",
]
_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in ("a", "e", "i", "o", "u", "ar", "en", "ol")]


def _database() -> str:
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgres"):
        sys.exit("bench/console.py measures PostgreSQL: set DATABASE_URL=postgres://…")
    name = url.rsplit("/", 1)[1]
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    return url


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connect_support.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _copy(model: Any, rows: list[dict[str, Any]]) -> None:
    """COPY rows into the model's table; columns a row leaves out get the field default."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
    defaults = {f.attname: f.get_default() for f in fields}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    buffer = io.StringIO()
    for row in rows:
        values = []
        for f in fields:
            value = row.get(f.attname, defaults[f.attname])
            value = f.get_db_prep_save(value, connection)
            if value is None:
                values.append("\\N")
            else:
                if hasattr(value, "dumps"):  # psycopg's Jsonb wrapper
                    value = json.dumps(value.obj)
                elif isinstance(value, (dict, list)):
                    value = json.dumps(value)
                text = str(value)
                values.append(text.replace("\\", "\\\\").replace("\t", " ").replace("\n", "\\n").replace("\r", " "))
        buffer.write("\t".join(values) + "\n")
    table = model._meta.db_table
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        copy.write(buffer.getvalue())


def _words(rng: random.Random, count: int) -> list[str]:
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def _generate(*, cases: int, per_case: int, agents: list[Any], accounts: list[Any], rng: random.Random) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from connect_support.cases.models import Case, CaseMessage
    from connect_support.console.inbox_search import search_index_rebuild

    vocabulary = _words(rng, 20_000)
    # Zipf-like: a few words in many cases, most words in few (as in real mail).
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(vocabulary))))

    def sentence(size: int) -> str:
        picked = rng.choices(vocabulary, cum_weights=cumulative, k=size)
        picked += rng.sample(DOMAIN, 2)
        rng.shuffle(picked)
        return " ".join(picked).capitalize() + "."

    now = timezone.now()
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE cases_case, console_casesearchentry CASCADE")
    statuses = ["new"] * 10 + ["open"] * 25 + ["pending"] * 10 + ["on_hold"] * 5 + ["solved"] * 25 + ["closed"] * 25
    priorities = ["low"] * 20 + ["normal"] * 55 + ["high"] * 20 + ["urgent"] * 5
    batch = 5000
    for start in range(0, cases, batch):
        case_rows, message_rows = [], []
        for index in range(start, min(cases, start + batch)):
            created: datetime = now - timedelta(minutes=rng.randint(10, 365 * 24 * 60))
            updated = min(now, created + timedelta(minutes=rng.randint(0, 14 * 24 * 60)))
            status = rng.choice(statuses)
            is_open = status in {"new", "open", "pending", "on_hold"}
            responded = created + timedelta(minutes=rng.randint(5, 600)) if rng.random() < 0.8 else None
            account = rng.choice(accounts) if rng.random() < 0.7 else None
            number = BENCH_NUMBERS + index
            pk = f"case_bench{index:09d}"
            case_rows.append(
                {
                    "id": pk,
                    "number": number,
                    "account_id": account.pk if account else None,
                    "claimed_account_id": "" if account else f"acct_claim{index:07d}",
                    "requester_name": f"{rng.choice(vocabulary).capitalize()} {rng.choice(vocabulary).capitalize()}",
                    "requester_email": f"person{index}@business{index % 997}.example",
                    "topic": rng.choice(TOPICS),
                    "subject": sentence(5)[:-1],
                    "status": status,
                    "priority": rng.choice(priorities),
                    "channel": rng.choice(("email", "web", "chat")),
                    "source_context": {"component": rng.choice(("account_onboarding", "notification_banner"))}
                    if rng.random() < 0.3
                    else {},
                    "assignee_id": rng.choice(agents).pk if rng.random() < 0.6 else None,
                    "tags": [],
                    # Open cases: deadlines from two hours ago to two weeks ahead (about 1 % breaching).
                    "first_response_due_at": created + timedelta(hours=4) if not is_open else None,
                    "resolution_due_at": now + timedelta(minutes=rng.randint(-120, 14 * 24 * 60)) if is_open else None,
                    "first_responded_at": responded,
                    "solved_at": updated if status in {"solved", "closed"} else None,
                    "reply_token": f"bench{index:010d}",
                    "link_version": 1,
                    "form_token": None,
                    "created_at": created,
                    "updated_at": updated,
                }
            )
            for seq in range(per_case):
                requester = seq % 2 == 0
                message_rows.append(
                    {
                        "id": f"msg_bench{index:09d}{seq:03d}",
                        "case_id": pk,
                        "author_kind": "requester" if requester else "agent",
                        "author_name": "",
                        "author_email": "",
                        "via": "email" if requester else "console",
                        "internal": False,
                        "body_text": " ".join(sentence(rng.randint(8, 16)) for _ in range(2)),
                        "body_html": "",
                        "message_id": "",
                        "in_reply_to": "",
                        "notes": [],
                        "created_at": created + timedelta(minutes=seq * 30),
                    }
                )
        with transaction.atomic():
            _copy(Case, case_rows)
            _copy(CaseMessage, message_rows)
        done = min(cases, start + batch)
        print(f"  {done:,} cases, {done * per_case:,} messages ({time.monotonic() - started:.0f} s)", flush=True)
    print("  indexing for search…", flush=True)
    with transaction.atomic():
        search_index_rebuild()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cases_case")
        cursor.execute("VACUUM ANALYZE cases_casemessage")
        cursor.execute("VACUUM ANALYZE console_casesearchentry")
    print(f"  generated in {time.monotonic() - started:.0f} s", flush=True)


def _people(rng: random.Random) -> tuple[list[Any], list[Any], Any]:
    """Agents (the first signs in for the run) and a few hundred accounts on five platforms."""
    import pyotp

    from connect_support.accounts.models import ConnectedAccount, Platform
    from connect_support.accounts.services import account_create
    from connect_support.identity.agents import agent_ensure

    agents = [
        agent_ensure(
            email=f"bench.agent{n}@operator.test",
            password="correct horse battery staple",  # noqa: S106 (a made-up agent of the benchmark database)
            name=f"Bench Agent{n}",
            roles=("support agent",),
            totp_secret=pyotp.random_base32(),
        )
        for n in range(20)
    ]
    platforms = [Platform.objects.get_or_create(name=f"Bench platform {n}")[0] for n in range(5)]
    accounts = list(ConnectedAccount.objects.filter(platform__in=platforms)[:300])
    for n in range(len(accounts), 300):
        accounts.append(
            account_create(
                platform=platforms[n % 5],
                params={"email": f"owner{n}@bench.example", "country": "US", "business_profile": {"name": f"Shop {n}"}},
            )
        )
    return agents, accounts, agents[0]


def _session_cookie(user: Any) -> str:
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from connect_support.identity.sessions import agent_sign_in

    request = RequestFactory().get("/console/", REMOTE_ADDR="127.0.0.1")
    request.session = SessionStore()
    agent_sign_in(request=request, user=user, method="password+totp")
    request.session.save()
    return str(request.session.session_key)


def _time(client: httpx.Client, series: dict[str, list[str]], rounds: int) -> dict[str, tuple[float, float, int]]:
    """Round-robin over the series (one request of each in turn), so that a busy moment of
    the machine weighs on every series alike; (p50, p95, non-200 count) per series."""
    for paths in series.values():
        for path in paths[:10]:
            client.get(path)  # warm up
    timings: dict[str, list[float]] = {label: [] for label in series}
    failures = dict.fromkeys(series, 0)
    for index in range(rounds):
        for label, paths in series.items():
            started = time.perf_counter()
            response = client.get(paths[index % len(paths)])
            timings[label].append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                failures[label] += 1
    results = {}
    for label, values in timings.items():
        values.sort()
        results[label] = (statistics.median(values), values[max(0, int(len(values) * 0.95) - 1)], failures[label])
    return results


def main() -> int:  # noqa: PLR0915 (one linear script: set up, fill, serve, time, print)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--messages-per-case", type=int, default=10)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    url = _database()
    # The server and this script share the data folder (and so the secret key that signs sessions).
    folder = Path(tempfile.mkdtemp(prefix="cs-bench-console-"))
    os.environ["CONNECT_SUPPORT_DATA_DIR"] = str(folder)
    _setup()
    from django.db import connection

    from connect_support.cases.models import Case, CaseMessage

    rng = random.Random(7)
    agents, accounts, agent = _people(rng)
    if Case.objects.count() != args.cases or CaseMessage.objects.count() != args.cases * args.messages_per_case:
        print(f"generating {args.cases:,} cases and {args.cases * args.messages_per_case:,} messages…", flush=True)
        _generate(cases=args.cases, per_case=args.messages_per_case, agents=agents, accounts=accounts, rng=rng)
    cookie = _session_cookie(agent)
    sample = list(Case.objects.order_by("?").values_list("number", "requester_email", "subject")[:50])
    connection.close()

    common = [subject.split()[0].lower() for _n, _e, subject in sample[:10]]
    rare = [subject.split()[-1].lower() for _n, _e, subject in sample[10:20]]
    pairs = [" ".join(subject.lower().split()[1:3]) for _n, _e, subject in sample[20:30]]
    searches = [
        *(f"/console/?q={word}" for word in common),
        *(f"/console/?q={word}" for word in rare),
        *(f"/console/?q={pair.replace(' ', '+')}" for pair in pairs),
        *(f"/console/?q=%23{number}" for number, _e, _s in sample[30:40]),
        *(f"/console/?q={email}" for _n, email, _s in sample[40:50]),
    ]
    rng.shuffle(searches)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    try:
        env = dict(os.environ, DATABASE_URL=url, CONNECT_SUPPORT_DATA_DIR=str(folder), LOG_LEVEL="WARNING")
        env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
        command = [sys.executable, "-m", "connect_support", "serve", "--host", "127.0.0.1", "--port", str(port)]
        with server(command, env, f"{base}/embedded-connect/"):
            from django.conf import settings

            cookies = {settings.SESSION_COOKIE_NAME: cookie}
            with httpx.Client(base_url=base, cookies=cookies, timeout=30, follow_redirects=False) as client:
                check = client.get("/console/")
                if check.status_code != 200:
                    print(f"the agent is not signed in (GET /console/ → {check.status_code})")
                    return 1
                series = {
                    # The floor: the agent's own page (sign-in checks, a few small queries, a
                    # template), through the same server and stack.
                    "floor (/console/me/)": ["/console/me/"],
                    "inbox": ["/console/"],
                    "filtered inbox": [f"/console/?queue=open&topic={topic}&priority=high" for topic in TOPICS],
                }
                views = [f"/console/cases/{number}/" for number, _e, _s in sample]
                if client.get(views[0]).status_code == 404:
                    print("case view: skipped (this server has no /console/cases/<number>/ page)")
                else:
                    series["case view"] = views
                series["case search"] = searches
                results = _time(client, series, args.requests)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{args.cases:,} cases, {args.cases * args.messages_per_case:,} messages, PostgreSQL, one request at a time")
    load = os.getloadavg()[0]
    print(f"load average during the run: {load:.1f} on {os.cpu_count()} cores")
    floor = results.pop("floor (/console/me/)")
    print(f"{'floor (/console/me/)':<22} p50 {floor[0]:7.1f} ms   p95 {floor[1]:7.1f} ms")
    summary = []
    for label, (p50, p95, failures) in results.items():
        print(f"{label:<22} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   non-200 {failures}")
        summary.append(f"{label} p95 {p95:.0f} ms{'' if p95 <= TARGET_MS else ' (over)'} ({p95 / floor[1]:.1f}× floor)")
    if "case view" not in results:
        summary.append("case view skipped")
    print("summary (target p95 ≤ 100 ms): " + "; ".join(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
