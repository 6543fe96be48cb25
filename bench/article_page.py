"""Anonymous article page: our server vs a bare ASGI app serving the same bytes.

Both run under uvicorn with the same options and one worker process; wrk drives them
alternately (never at the same time, so they do not share the CPU), a few rounds each,
with 50 connections. The bare app is the floor: nothing can serve these bytes faster through
the same server. A plain Django render of the same page (the page cache bypassed by a
query string the cache does not serve) is measured too, for scale.

    .venv/bin/python bench/article_page.py [--duration 5] [--rounds 3] [--connections 50]

The last line is: ratio to the floor (median of the rounds), requests/s of both, p99.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ARTICLE = "/embedded-connect/payouts/change-bank-account/"
ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


# ---- the floor: a bare ASGI app (imported by uvicorn from this file) ----

_BODY = Path(os.environ["BENCH_BODY_FILE"]).read_bytes() if "BENCH_BODY_FILE" in os.environ else b""
_HEADERS = [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(_BODY)).encode())]


async def bare_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": _BODY})


# ---- the run ----


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own loopback server)
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def _uvicorn(app: str, port: int, env: dict[str, str], app_dir: str | None = None) -> subprocess.Popen[bytes]:
    command = [PYTHON, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    command += ["--lifespan", "off", "--no-access-log", "--log-level", "warning"]
    if app_dir:
        command += ["--app-dir", app_dir]
    return subprocess.Popen(command, env=env, cwd=ROOT)


def _wrk(url: str, duration: int, connections: int, headers: list[str] | None = None) -> tuple[float, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    for header in headers or []:
        command += ["-H", header]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p99_match = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    value, unit = float(p99_match.group(1)), p99_match.group(2)  # type: ignore[union-attr]
    p99_ms = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    if "Non-2xx" in output or "Socket errors" in output:
        print(output, file=sys.stderr)
    return rps, p99_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs of each server")
    parser.add_argument("--connections", type=int, default=50)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="cs-bench-page-")
    env = {**os.environ, "CONNECT_SUPPORT_DATA_DIR": data_dir, "LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    for step in (["migrate"], ["load-content"]):
        subprocess.run([PYTHON, "-m", "connect_support", *step], env=env, cwd=ROOT, check=True, capture_output=True)

    servers: list[subprocess.Popen[bytes]] = []
    try:
        port = _free_port()
        servers.append(_uvicorn("connect_support.asgi:application", port, env))
        url = f"http://127.0.0.1:{port}{ARTICLE}"
        _wait_until_up(url)
        with urllib.request.urlopen(url) as response:
            body = response.read()
            assert response.headers["x-page-cache"] in {"hit", "miss"}
        body_file = Path(data_dir) / "article.html"
        body_file.write_bytes(body)
        bare_port = _free_port()
        bare_env = {**env, "BENCH_BODY_FILE": str(body_file)}
        servers.append(_uvicorn("article_page:bare_app", bare_port, bare_env, app_dir=str(ROOT / "bench")))
        bare_url = f"http://127.0.0.1:{bare_port}{ARTICLE}"
        _wait_until_up(bare_url)
        _wrk(url, 2, args.connections)  # warm-up
        _wrk(bare_url, 2, args.connections)
        # Both servers are up, but wrk drives one at a time, alternating: on a shared
        # machine the load changes from second to second, and a floor measured at
        # another moment than the page would make the ratio a lottery.
        ours: list[tuple[float, float]] = []
        floor: list[tuple[float, float]] = []
        for _round in range(args.rounds):
            ours.append(_wrk(url, args.duration, args.connections))
            floor.append(_wrk(bare_url, args.duration, args.connections))
        django, django_p99 = _wrk(url + "?from=bench", args.duration, args.connections)
    finally:
        for server in servers:
            server.terminate()
            server.wait()
        shutil.rmtree(data_dir, ignore_errors=True)

    ratios = [page[0] / bare[0] for page, bare in zip(ours, floor, strict=True)]
    ours_rps, ours_p99 = statistics.median(rps for rps, _p99 in ours), statistics.median(p99 for _rps, p99 in ours)
    floor_rps, floor_p99 = statistics.median(rps for rps, _p99 in floor), statistics.median(p99 for _rps, p99 in floor)
    print(
        f"page: {len(body)} bytes, {args.connections} connections, {args.rounds} alternating rounds of "
        f"{args.duration} s per server, 1 uvicorn worker each; medians"
    )
    print(f"bare ASGI floor:    {floor_rps:9.0f} req/s  p99 {floor_p99:6.2f} ms  (runs: {_runs(floor)})")
    print(f"cached fast path:   {ours_rps:9.0f} req/s  p99 {ours_p99:6.2f} ms  (runs: {_runs(ours)})")
    print(f"plain Django render:{django:9.0f} req/s  p99 {django_p99:6.2f} ms  ({django / floor_rps:.3f} x floor)")
    print(f"ratio per round: {', '.join(f'{ratio:.2f}' for ratio in ratios)}")
    print(
        f"article page: {statistics.median(ratios):.2f} x the bare ASGI floor (median of rounds; "
        f"{ours_rps:.0f} vs {floor_rps:.0f} req/s), p99 {ours_p99:.1f} ms"
    )


def _runs(results: list[tuple[float, float]]) -> str:
    return ", ".join(f"{rps:.0f}/{p99:.0f} ms" for rps, p99 in results)


if __name__ == "__main__":
    main()
