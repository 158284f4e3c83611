"""Fixtures for the layer tests: numbot's Webex client and a flow context against the sandbox
served in-process on a loopback port (real HTTP, nothing of the bot's HTTP layer replaced), each
test with its own SQLite store. These run in seconds; the conversations are in tests/e2e."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.conversation import registry
from bot.conversation.flows import FlowContext
from bot.core.config import Settings
from bot.queue.store import Store, make_huey
from bot.webex.client import WebexClient
from sandbox import SandboxServer
from sandbox.demo import operator_settings


@pytest.fixture
def settings(server: SandboxServer, tmp_path: Path) -> Settings:
    return operator_settings(server.api_url, f"sqlite:///{tmp_path / 'numbot.db'}", request_timeout=5)


@pytest.fixture
def store(settings: Settings) -> Store:
    return Store(make_huey(settings.store_url))


@pytest.fixture
def make_client(settings: Settings, store: Store) -> Callable[..., WebexClient]:
    """``make_client(**settings_overrides)``: a client sharing the test's store."""
    import dataclasses

    def make(**overrides: Any) -> WebexClient:
        return WebexClient(dataclasses.replace(settings, **overrides), store, retry_backoff=0.01)

    return make


@pytest.fixture
def client(make_client: Callable[..., WebexClient]) -> WebexClient:
    return make_client()


@pytest.fixture
def ctx(client: WebexClient, settings: Settings) -> FlowContext:
    return FlowContext(client=client, settings=settings, commands=registry.help_entries())
