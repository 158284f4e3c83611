"""Fixtures: the demo itself (sandbox + bot, wired by ``sandbox.demo.start_demo``) and a page in
Debian's headless Chromium, driven by Playwright's Python package (no browser download).

Without Chromium the browser tests fail when ``CI`` is set (CI must prove the cards render) and
are skipped otherwise; ``./run test`` installs Chromium when it can."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

from sandbox.demo import Demo, start_demo

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
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


def _no_browser(reason: str) -> None:
    message = f"{reason}; install it with `apt-get install chromium` (./run test does this when it can)"
    if os.environ.get("CI"):
        pytest.fail(f"the browser test cannot run in CI: {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(executable):
        _no_browser("Debian's chromium is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("Playwright's Python package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


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
