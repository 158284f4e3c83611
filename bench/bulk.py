"""Bulk validation, timed: a 10,000-number CSV from the admin's upload to the result file.

The bot runs as its own process (``python -m bot serve``, as deployed, so that its peak memory is
its own: ``VmHWM`` in ``/proc/<pid>/status``); the sandbox answers instantly. Figures are
printed, never asserted: ``python -m bench.bulk [--numbers N]``.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from bot.web.webhooks import register_webhooks
from sandbox import SandboxServer, seed
from sandbox.demo import operator_settings

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_bot(env: dict[str, str], port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return process
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the bot did not start")


def run(numbers: int) -> dict[str, float]:
    with SandboxServer() as server, tempfile.TemporaryDirectory() as tmp:
        state = server.state
        settings = operator_settings(server.api_url, f"sqlite:///{tmp}/numbot.db")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WEBEX_", "NUMBOT_"))}
        env.update({"WEBEX_BOT_TOKEN": seed.BOT_TOKEN, "WEBEX_WEBHOOK_SECRET": seed.WEBHOOK_SECRET,
                    "WEBEX_SERVICE_APP_CLIENT_ID": seed.SERVICE_APP_CLIENT_ID,
                    "WEBEX_SERVICE_APP_CLIENT_SECRET": seed.SERVICE_APP_CLIENT_SECRET,
                    "WEBEX_SERVICE_APP_REFRESH_TOKEN": seed.SERVICE_APP_REFRESH_TOKEN,
                    "WEBEX_API_URL": server.api_url, "WEBEX_ORG_ID": seed.ORG_ID,
                    "NUMBOT_STORE_URL": settings.store_url, "NUMBOT_ALLOWED_DOMAINS": "example.com",
                    "NUMBOT_LOG_LEVEL": "WARNING"})
        port = free_port()
        bot = start_bot(env, port)
        try:
            register_webhooks(settings, f"http://127.0.0.1:{port}")
            rows = "\n".join(["Phone Number"] + [f"+1214{5550000 + i:07d}" for i in range(numbers)]) + "\n"
            before = len(state.requests)
            started = time.monotonic()
            asked = state.upload(seed.ALICE, "direct", "ports.csv", rows.encode(), "text/csv")
            replies = state.wait_for_reply(state.direct_room(seed.ALICE), asked["id"], timeout=300, count=3)
            elapsed = time.monotonic() - started
            assert replies[-1].get("files"), "the result file"
            calls = [c for c in state.requests[before:] if c.identity in ("bot", "service")]
            figures = {
                "numbers": numbers,
                "seconds to the result file": elapsed,
                "peak memory of the bot process (MB)": peak_rss_mb(bot.pid),
                "file reads (HEAD for name and size, then GET)": sum("/contents/" in c.path for c in calls),
                "validate requests": sum("validateNumbers" in c.path for c in calls),
                "progress edits": sum(c.method == "PUT" and "/messages/" in c.path for c in calls),
                "posts (progress message, summary card, file)": sum(
                    c.method == "POST" and c.path.endswith("/messages") for c in calls),
            }
        finally:
            bot.terminate()
            bot.wait(timeout=10)
    return figures


def main(argv: list[str] | None = None) -> None:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the sandbox's request lines
    parser = argparse.ArgumentParser(prog="python -m bench.bulk", description=__doc__)
    parser.add_argument("--numbers", type=int, default=10_000)
    args = parser.parse_args(argv)
    for name, value in run(args.numbers).items():
        print(f"{name:40} {value:,.2f}" if isinstance(value, float) else f"{name:40} {value:,}")


if __name__ == "__main__":
    main()
