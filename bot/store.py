"""The bot's durable store: its job queue plus a little key-value state.

huey provides both over SQLite by default (one file, nothing to run) and over
Redis when several instances share work (``REDIS_URL``/``NUMBOT_STORE_URL``).
Re-delivery marks, the rotating refresh token and the cross-process refresh
lock all live in the same store as the jobs, so one backend setting moves
everything together.
"""
from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager
from typing import Iterator, Optional
from urllib.parse import urlparse

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.constants import EmptyData
from huey.exceptions import TaskLockedException

QUEUE_NAME = "numbot"


def make_huey(store_url: str) -> Huey:
    """``sqlite:///path`` (relative) or ``sqlite:////abs/path``, ``redis://…``,
    or ``memory://`` (tests only: not durable)."""
    parsed = urlparse(store_url)
    if parsed.scheme == "sqlite":
        path = store_url[len("sqlite:///") :] if store_url.startswith("sqlite:///") else parsed.path
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=path, fsync=True, timeout=10, results=False)
    if parsed.scheme in ("redis", "rediss", "unix"):
        return RedisHuey(QUEUE_NAME, url=store_url, results=False)
    if parsed.scheme == "memory":
        return MemoryHuey(QUEUE_NAME, results=False)
    raise ValueError(f"NUMBOT_STORE_URL must start with sqlite://, redis:// or memory://, not {parsed.scheme}://")


class Store:
    """Small typed helpers over huey's key-value storage."""

    def __init__(self, huey: Huey) -> None:
        self.huey = huey

    def claim(self, key: str, ttl_seconds: int = 7 * 24 * 3600) -> bool:
        """True the first time ``key`` is claimed, by any process sharing the store."""
        return bool(self.huey.storage.put_if_empty(f"claim:{key}", b"1", ttl_seconds))

    def get_json(self, key: str) -> Optional[dict]:
        raw = self.huey.storage.peek_data(f"kv:{key}")
        if raw is EmptyData or not isinstance(raw, (bytes, str)):
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def put_json(self, key: str, value: dict) -> None:
        self.huey.storage.put_data(f"kv:{key}", json.dumps(value).encode("utf-8"))

    @contextmanager
    def lock(self, name: str, wait_seconds: float = 30.0, ttl_seconds: int = 60) -> Iterator[None]:
        """A lock across threads and processes sharing the store; the TTL frees
        it if its holder dies."""
        lock = self.huey.lock_task(name, ttl=ttl_seconds)
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                lock.__enter__()
                break
            except TaskLockedException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        try:
            yield
        finally:
            lock.__exit__(None, None, None)

    def ping(self) -> bool:
        """Whether the store answers (for /readyz)."""
        self.huey.storage.peek_data("kv:ping")
        return True
