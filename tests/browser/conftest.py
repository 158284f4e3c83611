"""Fixtures: the demo itself (sandbox + bot, wired by ``sandbox.demo.start_demo``) and a page in
Debian's headless Chromium, driven by Playwright's Python package (no browser download).

Without Chromium the browser tests fail when ``CI`` is set (CI must prove the cards render) and
are skipped otherwise; ``./run test`` installs Chromium when it can."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.demo import Demo, start_demo

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WAIT_MS = 30_000  # the CI machine is small; a reply normally takes well under a second


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    running = start_demo(store_dir=tmp_path)
    yield running
    running.stop()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page; the console errors and page crashes it sees fail the test at the end."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, device_scale_factor=1)
    context.set_default_timeout(WAIT_MS)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    opened.on("console", lambda message: errors.append(f"console {message.type}: {message.text} {message.location}")
              if message.type in ("error", "warning") else None)
    yield opened
    context.close()
    assert not errors, "the chat page logged problems:\n" + "\n".join(errors)
