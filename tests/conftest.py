"""Fixtures every test folder shares: a sandbox (the local Webex) on a free loopback port."""
from __future__ import annotations

from typing import Iterator

import pytest

from sandbox import Sandbox, SandboxServer


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer() as running:
        yield running


@pytest.fixture
def state(server: SandboxServer) -> Sandbox:
    return server.state
