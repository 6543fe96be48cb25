"""Inbound mail from the command line as an operator runs it: `connect-support
ingest-email` as an MTA pipe, and `serve` running the SMTP receiver beside the web server
in the embedded mode."""

from __future__ import annotations

import json
import os
import signal
import smtplib
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.cases.conftest import MAIL_DATA, free_port, mail


def _env(data_dir: Path) -> dict[str, str]:
    """The embedded default in ``data_dir``, whatever the test run itself uses."""
    skip = {"DATABASE_URL", "REDIS_URL", "TEST_SQLITE_FILE", "DJANGO_SETTINGS_MODULE"}
    return {k: v for k, v in os.environ.items() if k not in skip} | {"CONNECT_SUPPORT_DATA_DIR": str(data_dir)}


def run_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "connect_support", *args],
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _ingest(data_dir: Path, raw: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "connect_support", "ingest-email", *args],
        input=raw,
        env=_env(data_dir),
        capture_output=True,
        timeout=120,
        check=False,
    )


def _cases(data_dir: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(data_dir / "db.sqlite3") as db:
        return list(db.execute("SELECT number, subject FROM cases_case ORDER BY number"))


def test_ingest_email_and_the_embedded_smtp_receiver(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "migrate").returncode == 0

    piped = _ingest(
        tmp_path, (MAIL_DATA / "multipart_alternative.eml").read_bytes(), "--sender", "maria@bakery.example"
    )
    assert piped.returncode == 0, piped.stderr
    outcome = json.loads(piped.stdout)
    assert (outcome["status"], outcome["case"]) == ("processed", 10001)

    assert _ingest(tmp_path, b"").returncode == 65  # nothing to read: refused for good, the MTA bounces it

    web_port, smtp_port = free_port(), free_port()
    env = _env(tmp_path) | {"SMTPD_PORT": str(smtp_port)}
    server = subprocess.Popen(
        [sys.executable, "-m", "connect_support", "serve", "--port", str(web_port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with smtplib.SMTP("127.0.0.1", smtp_port, timeout=2) as client:
                    refused = client.sendmail(
                        "x@y.example", ["someone@else.example", "support@localhost"], mail(subject="By SMTP to serve")
                    )
                break
            except OSError:
                assert time.monotonic() < deadline, "the SMTP receiver did not come up"
                time.sleep(0.2)
        assert list(refused) == ["someone@else.example"]  # not a relay
        assert [subject for _number, subject in _cases(tmp_path)] == [
            "Payout for May has not arrived",
            "By SMTP to serve",
        ]
        while True:  # one command runs both: the web server answers too
            try:
                if httpx.get(f"http://127.0.0.1:{web_port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the web server did not come up"
            time.sleep(0.2)
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output.decode()[-2000:]
    assert b"smtp receiver listening" in output
