"""Fixtures: a sandbox on a free loopback port and numbot served against it.

Each test gets its own sandbox, its own SQLite store in ``tmp_path`` and its own bot on its own
port, so tests never share state. ``make_bot`` builds more (a second instance sharing the store,
a restarted process, other settings)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botkit import Chat, RunningBot, bot_settings, start_bot

from sandbox import Sandbox, SandboxServer, seed


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "numbot.db"


@pytest.fixture
def make_bot(server: SandboxServer, store_path: Path) -> Iterator[Callable[..., RunningBot]]:
    """``make_bot(**settings_overrides, register=True, start_workers=True)``; all are stopped at the end."""
    running: list[RunningBot] = []

    def make(*, register: bool = True, start_workers: bool = True, **overrides: Any) -> RunningBot:
        settings = bot_settings(server, store_path, **overrides)
        bot = start_bot(settings, register=register, start_workers=start_workers)
        running.append(bot)
        return bot

    yield make
    for bot in running:
        try:
            bot.stop()
        except Exception:  # already stopped by the test
            pass


@pytest.fixture
def bot(make_bot: Callable[..., RunningBot]) -> RunningBot:
    return make_bot()


@pytest.fixture
def chat(state: Sandbox, bot: RunningBot) -> Chat:
    """Alice, a full administrator of the seeded org, in her 1:1 space with the bot."""
    return Chat(state, seed.ALICE)
