"""What an operator runs: the Procfile's web line under gunicorn, the register-webhooks command,
and start-up refusing a missing setting with one line that names it."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from botkit import Chat, bot_settings, free_port, settings_env

from sandbox import Sandbox, SandboxServer, seed

ROOT = Path(__file__).resolve().parents[2]


def clean_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WEBEX_", "NUMBOT_", "REDIS_"))}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.update(values)
    return env


def procfile_web_command() -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line[len("web:"):].strip()
    raise AssertionError("the Procfile has no web: line")


def wait_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if requests.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(log.read_text())


@contextmanager
def procfile_web(env: dict[str, str], log: Path) -> Iterator[tuple[str, subprocess.Popen, str]]:
    """The Procfile's web line as a deploy starts it (``env`` has its PORT), healthy and with its
    webhooks registered: its URL, its process and what register-webhooks printed. Stopped after,
    and its log holds no traceback."""
    url = f"http://127.0.0.1:{env['PORT']}"
    with open(log, "wb") as out:
        web = subprocess.Popen(["bash", "-c", f"exec {procfile_web_command()}"], cwd=ROOT, env=env,
                               stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_healthy(url, web, log)
        registered = subprocess.run([sys.executable, "-m", "bot", "register-webhooks", url], cwd=ROOT, env=env,
                                    capture_output=True, text=True, timeout=60)
        assert registered.returncode == 0, registered.stderr
        yield url, web, registered.stdout
    finally:
        web.terminate()
        web.wait(timeout=30)
    assert "Traceback" not in log.read_text()


def test_the_procfile_web_line_serves_a_conversation_under_gunicorn(
    server: SandboxServer, state: Sandbox, tmp_path: Path
) -> None:
    env = clean_env(PORT=str(free_port()), WEB_CONCURRENCY="2",
                    **settings_env(bot_settings(server, tmp_path / "numbot.db")))
    with procfile_web(env, tmp_path / "gunicorn.log") as (_, _, registered):
        assert "messages" in registered and "attachmentActions" in registered
        chat = Chat(state, seed.ALICE)
        assert "Available" in chat.say(f"validate {seed.AVAILABLE_US}").text
        help_card = chat.say("help")
        assert "Available" in chat.press(help_card, "Validate", numbers=seed.AVAILABLE_UK).text


def test_registering_webhooks_twice_replaces_them_instead_of_adding_more(
    server: SandboxServer, state: Sandbox, tmp_path: Path
) -> None:
    env = clean_env(**settings_env(bot_settings(server, tmp_path / "numbot.db")))
    for url in (["https://numbot.example.com"], []):  # the second time from NUMBOT_PUBLIC_URL
        done = subprocess.run([sys.executable, "-m", "bot", "register-webhooks", *url], cwd=ROOT, text=True,
                              env={**env, "NUMBOT_PUBLIC_URL": "https://numbot.example.com/"}, capture_output=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
    hooks = [h for h in state.webhooks.values() if h.created_by == state.bot.id]
    assert sorted(h.resource for h in hooks) == ["attachmentActions", "messages"]
    assert {h.target_url for h in hooks} == {"https://numbot.example.com/webhook"}
    assert all(h.secret == seed.WEBHOOK_SECRET for h in hooks)


def test_a_missing_setting_stops_start_up_with_one_line_naming_it(tmp_path: Path) -> None:
    for missing, env in [
        ("WEBEX_BOT_TOKEN", clean_env()),
        ("WEBEX_WEBHOOK_SECRET", clean_env(WEBEX_BOT_TOKEN="x", WEBEX_SERVICE_APP_TOKEN="y")),
        ("WEBEX_SERVICE_APP", clean_env(WEBEX_BOT_TOKEN="x", WEBEX_WEBHOOK_SECRET="z")),
    ]:
        started = subprocess.run([sys.executable, "-m", "bot", "serve", "--port", str(free_port())], cwd=tmp_path,
                                 env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=60)
        assert started.returncode == 2
        lines = started.stderr.strip().splitlines()
        assert len(lines) == 1 and missing in lines[0], started.stderr
        assert "Traceback" not in started.stderr


def test_gunicorn_with_a_missing_setting_names_it_and_exits(tmp_path: Path) -> None:
    env = clean_env(PORT=str(free_port()), PYTHONPATH=str(ROOT))
    done = subprocess.run(["bash", "-c", f"exec {procfile_web_command()}"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "missing required setting WEBEX_BOT_TOKEN" in done.stdout + done.stderr
