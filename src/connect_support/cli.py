"""``connect-support``: set up, seed and run the service.

connect-support migrate
connect-support seed-demo [--json] [--base-url URL]
connect-support serve [--host H] [--port P] [--workers N]
connect-support demo [--host H] [--port P]
connect-support load-content [--content-dir DIR]
connect-support worker
connect-support smtpd [--host H] [--port P]
connect-support ingest-email [--sender S] [--recipient R] < message.eml
connect-support manage <django-admin arguments>
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connect_support.settings")
    import django

    django.setup()


def _base_url(host: str, port: int) -> str:
    from django.conf import settings

    if settings.PUBLIC_URL:
        return str(settings.PUBLIC_URL)
    shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104 (only a display name)
    return f"http://{shown}:{port}"


def cmd_migrate(_args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    return 0


def _print_seed(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, indent=2))
        return
    print("Demo data is ready.")
    platforms: list[dict[str, Any]] = result["platforms"]
    for platform in platforms:
        print(f"\n  Platform {platform['name']}  secret key {platform['secret_key']}")
        for account in platform["accounts"]:
            support = "supported by the operator" if account["eligible"] else "supported by the platform"
            print(f"    {account['id']}  {account['email']:<24} {account['phone']}  ({account['state']}, {support})")
    agent: dict[str, str] = result["agent"]
    print(f"\n  Agent {agent['email']}  password {agent['password']}  TOTP secret {agent['totp_secret']}")


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from connect_support.platform_demo.seed import seed_demo

    result = seed_demo(base_url=args.base_url or _base_url(DEFAULT_HOST, DEFAULT_PORT))
    _print_seed(result, args.json)
    return 0


def _die_with_parent() -> None:
    """Ask Linux to send SIGTERM to this child if the parent dies, even by SIGKILL."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent's clean shutdown still stops us
        pass


def _start_children() -> list[subprocess.Popen[bytes]]:
    """In the embedded mode one command runs everything: the job worker runs beside the web."""
    from django.conf import settings

    if settings.SCALE_OUT:
        return []
    # preexec_fn is safe here: no thread has been started yet in this process.
    worker = [sys.executable, "-m", "connect_support", "worker"]
    children = [subprocess.Popen(worker, preexec_fn=_die_with_parent)]  # noqa: PLW1509
    if settings.SMTPD_PORT:
        # The SMTP receiver for inbound case mail (cases/inbound/smtp.py); SMTPD_PORT=0 turns it off.
        smtpd = [sys.executable, "-m", "connect_support", "smtpd"]
        children.append(subprocess.Popen(smtpd, preexec_fn=_die_with_parent))  # noqa: PLW1509
    return children


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    # uvicorn re-raises the signal it shut down for; exiting through SystemExit lets the
    # ``finally`` below stop the children.
    raise SystemExit(0)


def _stop_children(children: Sequence[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()


def _metrics_directory(data_dir: Path) -> None:
    """Every process started from here (web workers, job worker, SMTP receiver) writes its
    Prometheus figures to one directory that ``/metrics`` adds up; emptied at each start."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    directory = Path(data_dir) / "metrics"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn
    from django.conf import settings

    if args.workers > 1 and not settings.SCALE_OUT:
        print(
            "connect-support: more than one worker needs REDIS_URL (live chat and caches are shared through "
            "Redis); the embedded mode runs one worker.",
            file=sys.stderr,
        )
        return 2
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    _metrics_directory(settings.DATA_DIR)
    os.environ["CONNECT_SUPPORT_SERVING"] = "1"  # the web processes tune their collector (collector.py)
    children = _start_children()
    try:
        uvicorn.run(
            "connect_support.asgi:application",
            host=args.host,
            port=args.port,
            workers=args.workers,
            lifespan="off",
            log_config=None,
            access_log=False,
            proxy_headers=True,
            # Chat frames are small; compressing each costs more CPU than it saves bytes.
            ws_per_message_deflate=False,
            forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        )
    finally:
        _stop_children(children)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    cmd_migrate(args)
    base = _base_url(args.host, args.port)
    from connect_support.platform_demo.seed import seed_demo

    result = seed_demo(base_url=base)
    _print_seed(result, as_json=False)
    print(
        f"\nOpen these in a browser:\n"
        f"  Start page       {base}/\n"
        f"  Demo platform    {base}/demo/\n"
        f"  Support site     {base}/embedded-connect/\n"
        f"  Agents' console  {base}/console/\n"
        f"  Platform API     {base}/v1/openapi.json\n"
        f"  Dev outbox       {result['urls']['outbox']}\n",
        flush=True,
    )
    args.workers = 1
    return cmd_serve(args)


def cmd_load_content(args: argparse.Namespace) -> int:
    from connect_support.helpcenter.loader import ContentError, load_content

    try:
        report = load_content(content_dir=args.content_dir)
    except ContentError as error:
        print(f"connect-support: {error}", file=sys.stderr)
        return 1
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(report.summary())
    return 0


def cmd_worker(_args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("run_huey")
    return 0


def cmd_smtpd(args: argparse.Namespace) -> int:
    """Receive case mail over SMTP until SIGTERM or Ctrl-C."""
    import threading

    from django.conf import settings

    from connect_support.cases.inbound.smtp import smtp_receiver_serve_forever

    host = args.host or settings.SMTPD_HOST
    port = settings.SMTPD_PORT if args.port is None else args.port
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    signal.signal(signal.SIGINT, lambda _signum, _frame: stop.set())
    try:
        smtp_receiver_serve_forever(host=host, port=port, stop=stop)
    except (OSError, RuntimeError) as error:
        print(f"connect-support smtpd: cannot listen on {host}:{port}: {error}", file=sys.stderr)
        return 1
    return 0


def cmd_ingest_email(args: argparse.Namespace) -> int:
    """One message on standard input, as an MTA's pipe delivers it. Exit codes follow
    sysexits.h, which MTAs understand: 0 stored, 65 refused for good, 75 try again later."""
    from connect_support.cases.inbound.receive import inbound_mail_process, inbound_mail_store, max_inbound_bytes

    raw = sys.stdin.buffer.read(max_inbound_bytes() + 1)
    if not raw.strip():
        print("connect-support ingest-email: no message on standard input", file=sys.stderr)
        return 65
    if len(raw) > max_inbound_bytes():
        print(f"connect-support ingest-email: message larger than {max_inbound_bytes()} bytes", file=sys.stderr)
        return 65
    try:
        row = inbound_mail_store(
            raw=raw,
            source="pipe",
            envelope_from="" if args.sender is None else (args.sender or "<>"),
            envelope_to=[args.recipient] if args.recipient else [],
        )
    except Exception as error:  # the MTA keeps the message and retries on 75
        print(f"connect-support ingest-email: could not store the message: {error}", file=sys.stderr)
        return 75
    row = inbound_mail_process(inbound_id=row.pk)
    print(
        json.dumps(
            {"id": row.pk, "status": row.status, "reason": row.reason, "case": row.case.number if row.case else None}
        )
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="connect-support", description="Connect Support service.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="create or upgrade the database").set_defaults(func=cmd_migrate)
    seed = commands.add_parser("seed-demo", help="create the demo platforms, accounts and agent")
    seed.add_argument("--json", action="store_true", help="print one JSON object")
    seed.add_argument("--base-url", default="", help="public URL used in links (default http://127.0.0.1:8000)")
    seed.set_defaults(func=cmd_seed_demo)
    for name, func, help_text in (
        ("serve", cmd_serve, "run the web and WebSocket server (and, embedded, the job worker)"),
        ("demo", cmd_demo, "migrate, seed and serve"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--host", default=DEFAULT_HOST)
        command.add_argument("--port", type=int, default=DEFAULT_PORT)
        if name == "serve":
            command.add_argument("--workers", type=int, default=1)
        command.set_defaults(func=func)
    load = commands.add_parser("load-content", help="load the support site's topics and articles from content/")
    load.add_argument("--content-dir", type=Path, default=None, help="default: the content/ folder of the checkout")
    load.set_defaults(func=cmd_load_content)
    commands.add_parser("worker", help="run the background job worker").set_defaults(func=cmd_worker)
    smtpd = commands.add_parser("smtpd", help="receive case mail over SMTP (embedded: `serve` runs it)")
    smtpd.add_argument("--host", default=None, help="default: SMTPD_HOST (127.0.0.1)")
    smtpd.add_argument("--port", type=int, default=None, help="default: SMTPD_PORT (2525)")
    smtpd.set_defaults(func=cmd_smtpd)
    ingest = commands.add_parser("ingest-email", help="read one message on standard input (MTA pipe)")
    ingest.add_argument("--sender", default=None, help="the envelope sender (empty for a bounce's null sender)")
    ingest.add_argument("--recipient", default=None, help="the envelope recipient")
    ingest.set_defaults(func=cmd_ingest_email)
    manage = commands.add_parser("manage", help="run a Django management command")
    manage.add_argument("arguments", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def cmd_manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["connect-support manage", *args.arguments])
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup()
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
