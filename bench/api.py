"""Account sessions created per second, against a bare Django JSON view in the same server.

Usage: python bench/api.py [--seconds 10] [--connections 50]

Starts ``connect-support serve`` (one process, the embedded default unless DATABASE_URL /
REDIS_URL are set), seeds the demo, then runs wrk twice against the same server:
``GET /healthz`` (a plain Django view returning JSON: the floor) and
``POST /v1/account_sessions`` with the demo platform's secret key. The last line is the
ratio of the two request rates.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import bench_env, cli, data_dir, free_port, lua_post, server, wrk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    args = parser.parse_args()
    with data_dir() as directory:
        env = bench_env(directory)
        cli(env, "migrate")
        seeded = json.loads(cli(env, "seed-demo", "--json"))
        platform = seeded["platforms"][0]
        account = platform["accounts"][0]["id"]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "connect_support", "serve", "--port", str(port)]
        with server(command, env, f"{base}/healthz"):
            script = lua_post(
                f"account={account}&components[account_onboarding][enabled]=true"
                "&components[notification_banner][enabled]=true",
                {
                    "Authorization": f"Bearer {platform['secret_key']}",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            wrk(f"{base}/healthz", seconds=2, connections=args.connections)  # warm up
            wrk(f"{base}/v1/account_sessions", seconds=2, connections=args.connections, script=script)
            floor = wrk(f"{base}/healthz", seconds=args.seconds, connections=args.connections)
            sessions = wrk(
                f"{base}/v1/account_sessions", seconds=args.seconds, connections=args.connections, script=script
            )
    mode = "PostgreSQL + Redis" if "DATABASE_URL" in env else "embedded (SQLite)"
    print(f"mode: {mode}, 1 process, {args.connections} connections, {args.seconds}s each")
    print(floor.line("floor: GET /healthz"))
    print(sessions.line("POST /v1/account_sessions"))
    ratio = sessions.requests_per_second / floor.requests_per_second
    print(f"account sessions / bare Django JSON view = {ratio:.2f} (target >= 0.5)")


if __name__ == "__main__":
    main()
