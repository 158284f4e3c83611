"""``python -m sandbox.demo``: the sandbox, numbot wired to it, and a chat page to try the bot.

Glue only: the sandbox serves the Webex API and the chat page (``/``); the bot is the real
``bot.app.create_app`` with its own SQLite store (fresh every start), served on loopback, and its
webhooks are registered through the sandbox's webhooks API as ``python -m bot register-webhooks``
does in production. The browser test starts the demo with ``start_demo`` too.
"""
from __future__ import annotations

import argparse
import dataclasses
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from werkzeug.serving import BaseWSGIServer, make_server

from sandbox import SandboxServer, seed

TRY_THIS = ("try: help  |  validate +12145557861, (214) 555-7862 +442071838750 +12143020001 12345  |  "
            "alternate numbers Dallas HQ")


@dataclass
class Demo:
    """A running sandbox and bot; ``stop()`` ends both and removes the bot's store."""

    sandbox: SandboxServer
    bot_app: Any  # flask.Flask
    bot_http: BaseWSGIServer
    bot_thread: threading.Thread
    store_dir: Path
    owns_store_dir: bool

    @property
    def chat_url(self) -> str:
        return self.sandbox.url + "/"

    @property
    def bot_url(self) -> str:
        return f"http://127.0.0.1:{self.bot_http.server_port}"

    def stop(self) -> None:
        from bot.app import runtime_of

        self.bot_http.shutdown()
        self.bot_http.server_close()
        self.bot_thread.join(timeout=5)
        runtime_of(self.bot_app).jobs.stop_workers()
        self.sandbox.stop()
        if self.owns_store_dir:
            shutil.rmtree(self.store_dir, ignore_errors=True)


def start_demo(port: int = 0, bot_port: int = 0, store_dir: Optional[Path] = None, **settings: Any) -> Demo:
    """Start the sandbox on ``port`` and the bot on ``bot_port`` (0: any free port), both on 127.0.0.1.

    ``settings`` override the bot's ``Settings`` fields (tests use it; the demo needs none)."""
    # The bot is imported here so that ``import sandbox`` never needs it.
    from bot.app import create_app
    from bot.config import ServiceAppCredentials, Settings
    from bot.webhooks import register_webhooks

    owns = store_dir is None
    store_dir = Path(tempfile.mkdtemp(prefix="numbot-demo-")) if store_dir is None else store_dir
    server = SandboxServer(port=port).start()
    config = Settings(
        bot_token=seed.BOT_TOKEN,
        webhook_secret=seed.WEBHOOK_SECRET,
        service_app=ServiceAppCredentials(client_id=seed.SERVICE_APP_CLIENT_ID,
                                          client_secret=seed.SERVICE_APP_CLIENT_SECRET,
                                          refresh_token=seed.SERVICE_APP_REFRESH_TOKEN),
        api_url=server.api_url,
        org_id=seed.ORG_ID,
        store_url=f"sqlite:///{store_dir / 'numbot.db'}",
        allowed_domains=("example.com",),
    )
    config = dataclasses.replace(config, **settings)
    try:
        app = create_app(config, start_workers=True)
        http = make_server("127.0.0.1", bot_port, app, threaded=True)
    except BaseException:
        server.stop()
        raise
    thread = threading.Thread(target=http.serve_forever, kwargs={"poll_interval": 0.05}, name="numbot-http",
                              daemon=True)
    thread.start()
    demo = Demo(server, app, http, thread, store_dir, owns)
    try:
        register_webhooks(config, demo.bot_url)
    except BaseException:
        demo.stop()
        raise
    return demo


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.demo",
                                     description="numbot against the local Webex sandbox, with a chat page.")
    parser.add_argument("--port", type=int, default=8900, help="the sandbox and chat page (default 8900)")
    parser.add_argument("--bot-port", type=int, default=0, help="the bot's webhook server (default: any free port)")
    args = parser.parse_args(argv)
    demo = start_demo(port=args.port, bot_port=args.bot_port)
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
