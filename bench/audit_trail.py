"""Audit log latency: one page of the merged trail (identity's audit events and cases'
field changes) over a large history, and the CSV export's throughput.

Builds a fresh database (SQLite in a temporary data folder, or the PostgreSQL database
named by ``DATABASE_URL``: use a scratch one, its audit and case tables are filled), writes
``--events`` audit events and ``--changes`` case changes spread over 90 days, then times
``audit_trail_page`` for the first page, a page deep in the history (followed by cursor),
and filtered pages, and streams the whole CSV export.

    .venv/bin/python bench/audit_trail.py [--events 200000] [--changes 300000] [--rounds 20]

The last line gives the p95 in milliseconds of every page kind.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _setup() -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ["CONNECT_SUPPORT_DATA_DIR"] = tempfile.mkdtemp(prefix="cs-bench-audit-")
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connect_support.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _fill(events: int, changes: int) -> None:
    from django.contrib.auth.models import User
    from django.utils import timezone

    from connect_support.cases.models import Case, CaseChange
    from connect_support.identity.models import AuditEvent

    rng = random.Random(6)
    now = timezone.now()
    span = 90 * 24 * 3600
    agents = [
        User.objects.create(username=f"bench{n}@operator.test", email=f"bench{n}@operator.test") for n in range(20)
    ]
    kinds = ["agent.sign_in", "agent.sign_out", "support.sign_in", "chat.started", "chat.ended", "agent.role_granted"]
    batch = []
    for n in range(events):
        batch.append(
            AuditEvent(
                at=now - timedelta(seconds=rng.randrange(span)),
                kind=rng.choice(kinds),
                actor=rng.choice(agents),
                subject_label=f"person_{n:08d}",
                account_id=f"acct_{n % 5000:08d}",
                ip="203.0.113.9",
                detail={"method": "password+totp"},
            )
        )
        if len(batch) == 5000:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)
    cases = Case.objects.bulk_create(
        Case(
            number=10_000 + n,
            requester_email=f"r{n}@shop.example",
            subject="Payout",
            channel="email",
            reply_token=f"bench{n}",
            created_at=now,
            updated_at=now,
        )
        for n in range(max(changes // 15, 1))
    )
    rows = []
    for _ in range(changes):
        rows.append(
            CaseChange(
                case=rng.choice(cases),
                at=now - timedelta(seconds=rng.randrange(span)),
                actor_kind="agent",
                actor_user=rng.choice(agents),
                actor_label="agent",
                field="status",
                old="open",
                new=rng.choice(["pending", "solved"]),
            )
        )
        if len(rows) == 5000:
            CaseChange.objects.bulk_create(rows)
            rows = []
    CaseChange.objects.bulk_create(rows)


def _timed(fn: object, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--changes", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    _setup()
    started = time.perf_counter()
    _fill(args.events, args.changes)
    print(f"filled {args.events} events and {args.changes} case changes in {time.perf_counter() - started:.0f} s")

    from connect_support.privacy.trail import Cursor, TrailFilters, audit_trail_page, audit_trail_stream

    everything = TrailFilters()
    deep = None
    for _ in range(100):
        page = audit_trail_page(filters=everything, cursor=deep)
        deep = Cursor.decode(page.next_cursor or "")
    cases = [
        ("first page", lambda: audit_trail_page(filters=everything)),
        ("page 100", lambda: audit_trail_page(filters=everything, cursor=deep)),
        ("kind=case.changed", lambda: audit_trail_page(filters=TrailFilters(kind="case.changed"))),
        ("actor", lambda: audit_trail_page(filters=TrailFilters(actor="bench7@"))),
        ("subject=case number", lambda: audit_trail_page(filters=TrailFilters(subject="10042"))),
        ("text", lambda: audit_trail_page(filters=TrailFilters(text="solved"))),
    ]
    summary = []
    for name, fn in cases:
        samples = sorted(_timed(fn, args.rounds))
        p95 = samples[max(int(len(samples) * 0.95) - 1, 0)]
        print(f"{name:>18}: p50 {statistics.median(samples):7.1f} ms  p95 {p95:7.1f} ms")
        summary.append(f"{name} {p95:.1f}")
    start = time.perf_counter()
    count = sum(1 for _ in audit_trail_stream(filters=everything))
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    sample = sum(1 for _ in itertools.islice(audit_trail_stream(filters=everything), 50_000))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"CSV source: {count} rows in {elapsed:.1f} s ({count / elapsed:,.0f} rows/s)")
    print(f"memory while streaming {sample} rows: peak {peak / 2**20:.1f} MiB")
    print("p95 ms: " + ", ".join(summary))


if __name__ == "__main__":
    main()
