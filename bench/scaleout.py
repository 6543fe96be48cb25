"""Scale-out: the article page and live chat on one web process and on two, over
PostgreSQL and Redis, in the same run.

    DATABASE_URL=postgres://…/bench REDIS_URL=redis://…/0 python bench/scaleout.py \\
        [--duration 10] [--connections 50] [--customers 500] [--seconds 15]

Each figure is measured with ``connect-support serve --workers 1`` and then
``--workers 2`` (the kernel spreads connections over the two processes; chat messages and
page-cache invalidations cross between them through Redis). The article page is driven by
wrk; chat by the clients of bench/chat.py (customers send one message a second; delivery is
the time from a customer's send to the agent's receipt). The last line gives the two-process
figures as multiples of the one-process ones. On a 2-core machine the load generators
share the cores with the servers, so the gain is bounded by the cores left to the servers.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import bench_env, cli, data_dir, free_port, wait_until_up
from article_page import ARTICLE, _wrk
from chat import _running, run_chat

ROOT = Path(__file__).resolve().parent.parent


def article(env: dict[str, str], workers: int, duration: int, connections: int) -> tuple[float, float]:
    port = free_port()
    command = [sys.executable, "-m", "connect_support", "serve", "--port", str(port), "--workers", str(workers)]
    with _running(command, {**env, "SMTPD_PORT": "0"}, f"http://127.0.0.1:{port}/healthz"):
        url = f"http://127.0.0.1:{port}{ARTICLE}"
        wait_until_up(url)
        _wrk(url, 2, connections)  # warm-up: every process fills its cache
        return _wrk(url, duration, connections)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--processes", type=int, default=2, help="chat client processes")
    args = parser.parse_args()
    if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        sys.exit("bench/scaleout.py needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    args.no_compression = True
    args.load_before = " ".join(Path("/proc/loadavg").read_text().split()[:3])

    with data_dir() as directory:
        env = bench_env(directory)
        env["PYTHONPATH"] = str(ROOT / "src")
        env["CHAT_BENCH_COMPRESSION"] = "off"
        cli(env, "migrate")
        cli(env, "load-content")
        cookie_file = directory / "cookies.json"
        # Fresh customers and agents for each chat run: the first run's chats stay open.
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "chat.py"), "setup", "--customers", str(2 * args.customers),
             "--agents", str(2 * args.agents), "--out", str(cookie_file)],
            env=env, check=True, cwd=ROOT,
        )  # fmt: skip
        everyone = json.loads(cookie_file.read_text())
        halves = {
            n: {key: everyone[key][half * len(everyone[key]) // 2 : (half + 1) * len(everyone[key]) // 2]
                for key in ("customers", "agents")}
            for n, half in ((1, 0), (2, 1))
        }  # fmt: skip
        pages = {n: article(env, n, args.duration, args.connections) for n in (1, 2)}
        chats = {n: run_chat(args, env, halves[n], workers=n) for n in (1, 2)}

    print(f"load average before the run: {args.load_before}; {os.cpu_count()} cores; PostgreSQL + Redis")
    for n in (1, 2):
        rps, p99 = pages[n]
        chat = chats[n]
        print(
            f"{n} web process{'es' if n > 1 else ''}: article page {rps:8.0f} req/s p99 {p99:6.1f} ms | chat "
            f"{args.customers} customers: delivery p50 {chat['p50']:.0f} ms p99 {chat['p99']:.0f} ms, "
            f"lost {chat['lost'] + chat['not_acked']}, errors {chat['errors']}"
        )
    page_gain = pages[2][0] / pages[1][0]
    chat_gain = chats[1]["p99"] / chats[2]["p99"] if chats[2]["p99"] else float("nan")
    print(
        f"two processes vs one: article page {page_gain:.2f}x the requests/s; chat p99 {chat_gain:.2f}x lower "
        f"({chats[1]['p99']:.0f} -> {chats[2]['p99']:.0f} ms); lost {chats[2]['lost'] + chats[2]['not_acked']}"
    )


if __name__ == "__main__":
    main()
