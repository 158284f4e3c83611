"""``python -m bot check``: one line per check, exit 0 only when all pass, secrets never printed;
``--fix`` registers missing webhooks and reactivates those Webex disabled. Run as an operator
runs it: a separate process with the settings in its environment, against the sandbox."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from botkit import BotProcess, Chat, bot_settings, free_port, run_cli

from bot.core.config import ServiceAppCredentials, Settings
from sandbox import Sandbox, SandboxServer, seed

SECRETS = (seed.BOT_TOKEN, seed.SERVICE_APP_CLIENT_SECRET, seed.SERVICE_APP_REFRESH_TOKEN, seed.WEBHOOK_SECRET,
           seed.SERVICE_APP_TOKEN, "sandbox-sat-")


def lines_of(output: str) -> dict[str, str]:
    """``{"bot token": "ok  bot token: …", …}``."""
    found = {}
    for line in output.splitlines():
        status, _, rest = line.partition("  ")
        name = rest.strip().split(":", 1)[0]
        if status.strip() in ("ok", "FAIL"):
            found[name] = line
    return found


def assert_no_secret(output: str, state: Sandbox) -> None:
    for secret in (*SECRETS, *state.refresh_tokens):
        assert secret not in output


def deployment(server: SandboxServer, tmp_path: Path) -> Settings:
    """Settings of a deployment whose public URL is a free loopback port (nothing listens yet)."""
    return bot_settings(server, tmp_path / "numbot.db", public_url=f"http://127.0.0.1:{free_port()}")


@contextmanager
def serving(settings: Settings, tmp_path: Path) -> Iterator[BotProcess]:
    """The bot, as its own process, listening at the deployment's public URL."""
    assert settings.public_url
    bot = BotProcess(settings, tmp_path / "bot.log", port=int(settings.public_url.rsplit(":", 1)[1]))
    try:
        yield bot
    finally:
        bot.stop()


def test_a_healthy_deployment_passes_every_check(server: SandboxServer, state: Sandbox, tmp_path: Path) -> None:
    settings = deployment(server, tmp_path)
    with serving(settings, tmp_path):
        registered = run_cli(settings, "register-webhooks")
        assert registered.returncode == 0, registered.stderr
        result = run_cli(settings, "check")
        assert result.returncode == 0, result.stdout + result.stderr
        lines = lines_of(result.stdout)
        assert list(lines) == ["bot token", "service app token", "telephony API", "organisation", "webhook secret",
                               "webhook messages", "webhook attachmentActions"]
        assert all(line.startswith("ok") for line in lines.values())
        assert "Numbot 2000 <numbot@webex.bot>" in lines["bot token"]
        assert "valid for 89 more day(s)" in lines["service app token"]
        assert "6 Webex Calling location(s)" in lines["telephony API"]
        assert seed.ORG_ID in lines["organisation"]
        assert f"{settings.public_url}/webhook, signed, active" in lines["webhook messages"]
        assert_no_secret(result.stdout + result.stderr, state)


def test_missing_webhooks_fail_and_fix_registers_them(server: SandboxServer, state: Sandbox, tmp_path: Path) -> None:
    settings = deployment(server, tmp_path)
    with serving(settings, tmp_path):
        before = run_cli(settings, "check")
        assert before.returncode == 1
        lines = lines_of(before.stdout)
        assert lines["webhook messages"].startswith("FAIL") and "missing" in lines["webhook messages"]
        assert "python -m bot check --fix" in lines["webhook messages"]
        assert lines["bot token"].startswith("ok")
        fixed = run_cli(settings, "check", "--fix")
        assert fixed.returncode == 0, fixed.stdout
        assert "missing: registered" in lines_of(fixed.stdout)["webhook attachmentActions"]
        assert "Available" in Chat(state, seed.ALICE).say(f"validate {seed.AVAILABLE_US}").text
        assert run_cli(settings, "check").returncode == 0
        assert_no_secret(before.stdout + fixed.stdout + before.stderr + fixed.stderr, state)


def test_a_webhook_webex_disabled_after_failed_deliveries_is_reactivated(
        server: SandboxServer, state: Sandbox, tmp_path: Path) -> None:
    settings = deployment(server, tmp_path)
    assert run_cli(settings, "register-webhooks").returncode == 0
    chat = Chat(state, seed.ALICE)
    for n in range(state.webhook_failures_to_disable):  # nobody listens at the URL: every delivery fails
        chat.post(f"validate {seed.AVAILABLE_US} #{n}")
    assert state.wait_for_deliveries(30)
    assert {h.status for h in state.webhooks.values() if h.resource == "messages"} == {"inactive"}
    with serving(settings, tmp_path):
        broken = run_cli(settings, "check")
        assert broken.returncode == 1
        assert "disabled by Webex (status inactive)" in lines_of(broken.stdout)["webhook messages"]
        fixed = run_cli(settings, "check", "--fix")
        assert fixed.returncode == 0, fixed.stdout
        assert "reactivated" in lines_of(fixed.stdout)["webhook messages"]
        assert "Available" in chat.say(f"validate {seed.AVAILABLE_US}").text


def test_a_refused_refresh_token_is_named_and_fails_the_check(server: SandboxServer, state: Sandbox,
                                                              tmp_path: Path) -> None:
    settings = bot_settings(server, tmp_path / "numbot.db", public_url="http://127.0.0.1:9")
    wrong = dataclasses.replace(settings, service_app=ServiceAppCredentials(
        client_id=seed.SERVICE_APP_CLIENT_ID, client_secret=seed.SERVICE_APP_CLIENT_SECRET,
        refresh_token="a-refresh-token-webex-never-issued"))
    result = run_cli(wrong, "check")
    assert result.returncode == 1
    lines = lines_of(result.stdout)
    assert lines["service app token"].startswith("FAIL")
    assert "WEBEX_SERVICE_APP_REFRESH_TOKEN" in lines["service app token"]
    assert lines["telephony API"].startswith("FAIL")
    assert "a-refresh-token-webex-never-issued" not in result.stdout + result.stderr
    assert_no_secret(result.stdout + result.stderr, state)
