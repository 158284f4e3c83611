"""``python -m sandbox.demo``: the sandbox, numbot wired to it, and a chat page to try the bot.

Glue only: the sandbox serves the Webex API and the chat page (``/``); the bot is the real
``bot.web.app.create_app`` with its own SQLite store (fresh every start), served on loopback, and its
webhooks are registered through the sandbox's webhooks API as ``python -m bot register-webhooks``
does in production. The browser test starts the demo with ``start_demo`` too.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from werkzeug.serving import make_server

from sandbox import SandboxServer, seed

if TYPE_CHECKING:
    from bot.core.config import Settings

TRY_THIS = ("try: help  |  validate +12145557861, (214) 555-7862 +442071838750 +12143029001 12345  |  locations  |  "
            "alternate numbers Dallas HQ  |  add +12145557861 to Dallas HQ  |  assign +12143020003 to Main Menu "
            "in Dallas HQ")


@dataclass
class Demo:
    """A running sandbox and bot; ``stop()`` ends both (and removes a temporary store)."""

    sandbox: SandboxServer
    bot_port: int
    _running: ExitStack

    @property
    def chat_url(self) -> str:
        return self.sandbox.url + "/"

    @property
    def bot_url(self) -> str:
        return f"http://127.0.0.1:{self.bot_port}"

    def stop(self) -> None:
        self._running.close()


def operator_settings(api_url: str, store_url: str, **overrides: Any) -> Settings:
    """numbot's settings for the seeded org, as its operator would set them: the refresh-token
    grant, the org id, the webhook secret, the admins' email domain allowed, full administrators
    only (the default: Bob, who has no admin role, is refused and told whom to ask). The demo and
    the tests start from these."""
    from bot.core.config import ServiceAppCredentials, Settings

    base = Settings(
        bot_token=seed.BOT_TOKEN,
        webhook_secret=seed.WEBHOOK_SECRET,
        service_app=ServiceAppCredentials(client_id=seed.SERVICE_APP_CLIENT_ID,
                                          client_secret=seed.SERVICE_APP_CLIENT_SECRET,
                                          refresh_token=seed.SERVICE_APP_REFRESH_TOKEN),
        api_url=api_url,
        org_id=seed.ORG_ID,
        store_url=store_url,
        allowed_domains=("example.com",),
        contact="Alice Admin (alice@example.com)",
    )
    return dataclasses.replace(base, **overrides)


def start_demo(port: int = 0, bot_port: int = 0, store_dir: Optional[Path] = None,
               allow_changes: bool = True) -> Demo:
    """Start the sandbox on ``port`` and the bot on ``bot_port`` (0: any free port), both on 127.0.0.1.

    The bot's store goes to ``store_dir``, or to a fresh temporary directory that ``stop()`` removes.
    Changes are on (NUMBOT_ALLOW_CHANGES): the sandbox is there to try them on."""
    # The bot is imported here so that ``import sandbox`` never needs it.
    from bot.web.app import create_app, runtime_of
    from bot.web.webhooks import register_webhooks

    with ExitStack() as running:  # undone in reverse order by stop(), or here if starting fails
        server = SandboxServer(port=port).start()
        running.callback(server.stop)
        if store_dir is None:
            store_dir = Path(tempfile.mkdtemp(prefix="numbot-demo-"))
            running.callback(shutil.rmtree, store_dir, ignore_errors=True)
        settings = operator_settings(server.api_url, f"sqlite:///{store_dir / 'numbot.db'}",
                                     allow_changes=allow_changes)
        app = create_app(settings, start_workers=True)
        running.callback(runtime_of(app).jobs.stop_workers)
        http = make_server("127.0.0.1", bot_port, app, threaded=True)
        running.callback(http.server_close)
        thread = threading.Thread(target=http.serve_forever, kwargs={"poll_interval": 0.05}, name="numbot-http",
                                  daemon=True)
        thread.start()
        running.callback(thread.join, timeout=5)
        running.callback(http.shutdown)
        register_webhooks(settings, f"http://127.0.0.1:{http.server_port}")
        return Demo(server, http.server_port, running.pop_all())


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.demo",
                                     description="numbot against the local Webex sandbox, with a chat page.")
    parser.add_argument("--port", type=int, default=8900, help="the sandbox and chat page (default 8900)")
    parser.add_argument("--bot-port", type=int, default=0, help="the bot's webhook server (default: any free port)")
    args = parser.parse_args(argv)
    # A person reads this terminal: classic log lines unless the operator asked otherwise.
    os.environ.setdefault("NUMBOT_LOG_FORMAT", "text")
    demo = start_demo(port=args.port, bot_port=args.bot_port)  # a taken port: werkzeug says so and exits
    print(f"\n  numbot demo: open {demo.chat_url} in a browser\n  {TRY_THIS}\n"
          f"  (sandbox API {demo.sandbox.api_url}, bot {demo.bot_url}; Ctrl-C stops)\n", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("stopping…", flush=True)
    finally:
        demo.stop()


if __name__ == "__main__":
    main()
