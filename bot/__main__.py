"""Command line: ``python -m bot serve|worker|check [--fix]|register-webhooks [URL]|validate …|alternate …|add …|
assign …``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.core.config import ConfigError, Settings, load_settings
from bot.core.models import RING_PATTERNS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="numbot, the Webex Calling number checker")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the bot with Flask's server (use gunicorn in production)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    commands.add_parser("worker", help="run queue workers only (with NUMBOT_EMBEDDED_WORKERS=false on the web side)")
    register = commands.add_parser("register-webhooks", help="point this bot's webhooks at URL/webhook")
    register.add_argument("url", nargs="?", help="the bot's public base URL, e.g. https://numbot.example.com "
                          "(default: NUMBOT_PUBLIC_URL)")
    check = commands.add_parser("check",
                                help="check this deployment: tokens, telephony API, webhooks (exit 0 when all pass)")
    check.add_argument("--fix", action="store_true", help="register missing webhooks and reactivate disabled ones")
    validate = commands.add_parser("validate", help="validate numbers (or a .csv/.txt/.xlsx file) with the service app")
    validate.add_argument("numbers", nargs="*", help="numbers, E.164 or national format")
    validate.add_argument("--file", type=Path, help="a .csv, .txt or .xlsx file of numbers")
    output = validate.add_mutually_exclusive_group()
    output.add_argument("--csv", type=Path, help="also write the result as CSV to this file")
    output.add_argument("--json", action="store_true", help="print the result as JSON instead of a table")
    alternate = commands.add_parser("alternate", help="a location's auto attendant alternate available numbers")
    alternate.add_argument("location", nargs="+", help="the location's name (or part of it) or id")
    alternate.add_argument("--csv", type=Path, help="also write every number as CSV to this file")
    add = commands.add_parser("add", help="add Available numbers to a location (needs NUMBOT_ALLOW_CHANGES=true)")
    add.add_argument("numbers", nargs="+", help="numbers, E.164 or national format")
    add.add_argument("--location", nargs="+", required=True, help="the location's name (or part of it) or id")
    add.add_argument("--inactive", action="store_true", help="add them inactive (default: active)")
    add.add_argument("--yes", action="store_true", help="do not ask on the terminal")
    assign = commands.add_parser("assign", help="assign an alternate number to an auto attendant "
                                 "(needs NUMBOT_ALLOW_CHANGES=true)")
    assign.add_argument("number", help="an alternate available number of the location")
    assign.add_argument("--auto-attendant", nargs="+", required=True, help="the auto attendant's name or id")
    assign.add_argument("--location", nargs="+", required=True, help="the location's name (or part of it) or id")
    assign.add_argument("--ring-pattern", default="NORMAL",
                        help=f"{', '.join(RING_PATTERNS)} (default NORMAL)")
    assign.add_argument("--yes", action="store_true", help="do not ask on the terminal")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"numbot: {error}", file=sys.stderr)
        return 2
    if args.command == "register-webhooks":
        from bot.web.webhooks import register_webhooks

        url = args.url or settings.public_url
        if not url:
            print("numbot: register-webhooks needs the bot's public URL (argument or NUMBOT_PUBLIC_URL)",
                  file=sys.stderr)
            return 2
        for hook in register_webhooks(settings, url):
            print(f"registered {hook.resource} -> {hook.target_url} ({hook.id})")
        return 0
    if args.command in ("validate", "alternate", "add", "assign"):
        from bot.cli.commands import run

        return run(args.command, settings, args)
    if args.command == "check":
        from bot.cli.check import run_checks
        from bot.web.webhooks import client_for

        results = run_checks(client_for(settings), settings, fix=args.fix)
        for result in results:
            print(result.line(), flush=True)
        return 0 if all(r.ok for r in results) else 1
    if args.command == "worker":
        return run_worker(settings)
    import logging

    from werkzeug.serving import run_simple

    from bot.web.app import create_app

    app = create_app(settings, settle=True)  # one app for this process's life
    # run_simple rather than app.run: Flask's banner would be the one line of the log that is not JSON.
    logging.getLogger("numbot").info("serving webhooks on http://%s:%d/webhook", args.host, args.port)
    run_simple(args.host, args.port, app, threaded=True)
    return 0


def run_worker(settings: Settings) -> int:
    """Queue workers in their own process, until SIGTERM/SIGINT."""
    import signal
    import threading

    from bot.core.logs import configure_logging
    from bot.runtime import build_runtime, settle_memory

    configure_logging()
    runtime = build_runtime(settings)
    settle_memory()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    runtime.jobs.start_workers(settings.workers, nice=settings.worker_nice)
    stop.wait()
    runtime.jobs.stop_workers()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
