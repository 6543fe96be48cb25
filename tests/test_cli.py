"""The command line as a user runs it: real processes on the embedded default."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest


def _env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "TEST_SQLITE_FILE", "DJANGO_SETTINGS_MODULE"}
    }
    env["CONNECT_SUPPORT_DATA_DIR"] = str(data_dir)
    return env


def run_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "connect_support", *args],
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_seed_demo_json_follows_the_contract_and_is_idempotent(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "migrate").returncode == 0
    first = run_cli(tmp_path, "seed-demo", "--json")
    assert first.returncode == 0, first.stderr
    data: dict[str, Any] = json.loads(first.stdout)
    assert len(data["platforms"]) == 2
    eligibility = set()
    for platform in data["platforms"]:
        assert platform["name"]
        assert platform["secret_key"].startswith("sk_test_")
        assert platform["publishable_key"].startswith("pk_test_")
        assert len(platform["accounts"]) >= 3
        for account in platform["accounts"]:
            assert account["id"].startswith("acct_")
            assert "@" in account["email"]
            assert account["phone"].startswith("+")
            eligibility.add(account["eligible"])
    assert eligibility == {True, False}
    assert {"email", "password", "totp_secret"} <= set(data["agent"])
    assert data["urls"]["support_site"].endswith("/embedded-connect/")

    second = json.loads(run_cli(tmp_path, "seed-demo", "--json").stdout)
    assert second == data  # same keys, same accounts: nothing duplicated

    # The printed key works against the API, and the stored key is only a digest.
    database = (tmp_path / "db.sqlite3").read_bytes()
    assert data["platforms"][0]["secret_key"].encode() not in database


def test_serve_runs_the_web_and_the_job_worker_and_stops_both(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "migrate").returncode == 0
    seeded = json.loads(run_cli(tmp_path, "seed-demo", "--json").stdout)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "connect_support", "serve", "--port", str(port)],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.2)
        assert "Support site" in httpx.get(f"{base}/").text
        key = seeded["platforms"][0]["secret_key"]
        accounts = httpx.get(f"{base}/v1/accounts", headers={"Authorization": f"Bearer {key}"}).json()
        assert {a["id"] for a in accounts["data"]} == {a["id"] for a in seeded["platforms"][0]["accounts"]}
        children = subprocess.run(
            ["pgrep", "-P", str(process.pid), "-f", "connect_support worker"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split()
        assert children, "the embedded mode runs the job worker beside the web server"
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    for pid in children:
        assert not Path(f"/proc/{pid}").exists(), "the worker outlived the server"
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert lines, "logs are JSON lines"
    assert all({"time", "level", "message"} <= set(line) for line in lines)


def test_several_workers_need_redis(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "serve", "--workers", "2")
    assert result.returncode == 2
    assert "REDIS_URL" in result.stderr


@pytest.mark.parametrize("args", [["nonsense"], ["serve", "--port", "eighty"]])
def test_bad_arguments_are_explained(tmp_path: Path, args: list[str]) -> None:
    result = run_cli(tmp_path, *args)
    assert result.returncode == 2
    assert "usage: connect-support" in result.stderr
