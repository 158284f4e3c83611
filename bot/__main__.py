"""Command line: ``python -m bot serve [--port N]`` or ``python -m bot register-webhooks URL``."""
from __future__ import annotations

import argparse
import sys

from bot.config import ConfigError, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="numbot, the Webex Calling number checker")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the bot with Flask's server (use gunicorn in production)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    register = commands.add_parser("register-webhooks", help="point this bot's webhooks at URL/webhook")
    register.add_argument("url", help="the bot's public base URL, e.g. https://numbot.example.com")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"numbot: {error}", file=sys.stderr)
        return 2
    if args.command == "register-webhooks":
        from bot.webhooks import register_webhooks

        for hook in register_webhooks(settings, args.url):
            print(f"registered {hook['resource']} -> {hook['targetUrl']} ({hook['id']})")
        return 0
    from bot.app import create_app

    create_app(settings).run(host=args.host, port=args.port, threaded=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
