"""Shared pieces of the benchmarks: a server in a subprocess and wrk runs."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def bench_env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["CONNECT_SUPPORT_DATA_DIR"] = str(data_dir)
    env.setdefault("LOG_LEVEL", "WARNING")
    return env


def cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "connect_support", *args], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


@contextmanager
def data_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="cs-bench-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def wait_until_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


@contextmanager
def server(command: list[str], env: dict[str, str], health_url: str) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(health_url)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    errors: int

    def line(self, label: str) -> str:
        return (
            f"{label:<28} {self.requests_per_second:>9.0f} req/s   p50 {self.p50_ms:6.2f} ms   "
            f"p99 {self.p99_ms:6.2f} ms   non-2xx {self.non_2xx}   socket errors {self.errors}"
        )


def _ms(value: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s)", value)
    if not match:
        return float("nan")
    number, unit = float(match.group(1)), match.group(2)
    return {"us": number / 1000, "ms": number, "s": number * 1000}[unit]


def wrk(url: str, *, seconds: int, connections: int, threads: int = 2, script: str | None = None) -> WrkResult:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script:
        handle = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
        handle.write(script)
        handle.close()
        command[1:1] = ["-s", handle.name]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"50%\s+(\S+)", output)
    p99 = re.search(r"99%\s+(\S+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return WrkResult(
        requests_per_second=rps,
        p50_ms=_ms(p50.group(1)) if p50 else float("nan"),
        p99_ms=_ms(p99.group(1)) if p99 else float("nan"),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        errors=sum(int(n) for n in errors.groups()) if errors else 0,
    )


def lua_post(body: str, headers: dict[str, Any]) -> str:
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(body)}"]
    for name, value in headers.items():
        lines.append(f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}")
    return "\n".join(lines) + "\n"
