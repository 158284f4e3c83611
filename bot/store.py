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
import uuid
from contextlib import contextmanager
from typing import Iterator, Optional
from urllib.parse import urlparse

from huey import Huey, MemoryHuey, RedisExpireHuey, SqliteHuey
from huey.constants import EmptyData
from huey.storage import RedisExpireStorage, SqliteStorage

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
        # The "expire" flavour: claims and locks get real Redis TTLs (SET NX EX).
        return RedisExpireHuey(QUEUE_NAME, url=store_url, results=False)
    if parsed.scheme == "memory":
        return MemoryHuey(QUEUE_NAME, results=False)
    raise ValueError(f"NUMBOT_STORE_URL must start with sqlite://, redis:// or memory://, not {parsed.scheme}://")


class LockTimeout(Exception):
    """A store lock could not be taken in time (its holder is slow or died recently)."""


def _marker(ttl_seconds: float) -> bytes:
    """A stored value that says until when it holds: ``<epoch seconds, fixed width>:<owner>``.

    Fixed width so that SQLite can compare expiries as text when it prunes."""
    return f"{time.time() + ttl_seconds:017.3f}:{uuid.uuid4().hex}".encode("ascii")


def _expired(value: object) -> bool:
    if not isinstance(value, (bytes, bytearray, memoryview)):
        return True
    try:
        return float(bytes(value).split(b":", 1)[0]) <= time.time()
    except ValueError:
        return True  # not a marker of ours: nothing can rely on it


class Store:
    """Small typed helpers over huey's key-value storage.

    Claims (re-delivery marks) and locks must expire: a lock whose holder died
    must free itself, and claims must not pile up for ever. Only Redis has TTLs
    in huey's storage API, so elsewhere the expiry lives in the value and an
    expired value is taken over with huey's atomic ``put_if_empty`` and
    ``pop_data``.
    """

    PRUNE_EVERY = 500  # claims between two prunings of expired ones (SQLite)

    def __init__(self, huey: Huey) -> None:
        self.huey = huey
        self._native_ttl = isinstance(huey.storage, RedisExpireStorage)
        self._claims = 0

    def _take(self, key: str, ttl_seconds: float) -> Optional[bytes]:
        """Put a fresh marker under ``key`` unless a live one is there; the marker, or None."""
        storage = self.huey.storage
        marker = _marker(ttl_seconds)
        if self._native_ttl:
            return marker if storage.put_if_empty(key, marker, max(1, int(ttl_seconds))) else None
        for _ in range(3):
            if storage.put_if_empty(key, marker):
                return marker
            current = storage.peek_data(key)
            if current is EmptyData:
                continue  # released meanwhile: try again
            if not _expired(current):
                return None
            taken = storage.pop_data(key)  # atomic: one process wins the expired value
            if taken is not EmptyData and not _expired(taken):
                storage.put_if_empty(key, bytes(taken))  # a live marker was popped: put it back
                return None
        return None

    def claim(self, key: str, ttl_seconds: float = 7 * 24 * 3600) -> bool:
        """True the first time ``key`` is claimed within ``ttl_seconds``, by any
        process sharing the store."""
        claimed = self._take(f"claim:{key}", ttl_seconds) is not None
        self._claims += 1
        if self._claims % self.PRUNE_EVERY == 0:
            self.prune()
        return claimed

    def is_claimed(self, key: str) -> bool:
        return not _expired(self.huey.storage.peek_data(f"claim:{key}"))

    def lease(self, key: str, ttl_seconds: float) -> Optional[bytes]:
        """Exclusive right to work on ``key`` for ``ttl_seconds`` (then it lapses,
        e.g. because its holder died); a token for :meth:`release`, or None when
        someone else holds it."""
        return self._take(f"lease:{key}", ttl_seconds)

    def lease_held(self, key: str) -> bool:
        return not _expired(self.huey.storage.peek_data(f"lease:{key}"))

    def release(self, key: str, token: bytes) -> None:
        self._release(f"lease:{key}", token)

    def _release(self, key: str, token: bytes) -> None:
        # Release only our own marker: after our TTL ran out, another holder may have it.
        current = self.huey.storage.peek_data(key)
        if current is not EmptyData and bytes(current) == token:
            self.huey.storage.delete_data(key)

    # -- the in-flight journal ---------------------------------------------
    # huey removes a job from the queue when a worker takes it, so a process
    # that dies mid-job would lose an event Webex already saw acknowledged.
    # Each acknowledged event is therefore also written here, and removed only
    # when it was handled; ``bot.jobs`` re-queues what a dead worker left.

    def put_inflight(self, key: str, event: dict) -> None:
        self.put_json(f"inflight:{key}", {"event": event, "queued_at": time.time()})

    def drop_inflight(self, key: str, event: Optional[dict] = None) -> None:
        """Remove the journal entry of ``key``; with ``event``, only if it still holds that event.

        Two different events can share a key (the bot's own message and a re-sent copy of it
        claiming another sender): the job that finishes first must not remove the entry the
        other one wrote, or that one would no longer be recovered after a crash."""
        if event is not None:
            stored = self.get_json(f"inflight:{key}")
            if stored is not None and stored.get("event") != event:
                return
        self.huey.storage.delete_data(f"kv:inflight:{key}")

    def inflight(self) -> list[tuple[str, dict, float]]:
        """Every journalled event: (key, event, when it was last queued)."""
        storage = self.huey.storage
        prefix = "kv:inflight:"
        if isinstance(storage, SqliteStorage):
            rows = storage.sql(
                "select key, value from kv where queue = ? and key like 'kv:inflight:%'", (storage.name,), results=True
            )
        else:
            rows = [(k, v) for k, v in storage.result_items().items() if k.startswith(prefix)]
        found = []
        for key, raw in rows:
            try:
                entry = json.loads(bytes(raw))
                found.append((key[len(prefix) :], entry["event"], float(entry["queued_at"])))
            except (ValueError, KeyError, TypeError):
                storage.delete_data(key)  # unreadable: nothing could ever handle it
        return found

    def prune(self) -> int:
        """Delete expired claims (SQLite; Redis expires them itself). How many went."""
        storage = self.huey.storage
        if not isinstance(storage, SqliteStorage):
            return 0
        now = f"{time.time():017.3f}"
        with storage.db(commit=True) as cursor:
            cursor.execute(
                "delete from kv where queue = ? and key like 'claim:%' and substr(cast(value as text), 1, 17) < ?",
                (storage.name, now),
            )
            return cursor.rowcount

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
    def lock(self, name: str, wait_seconds: float = 30.0, ttl_seconds: float = 60) -> Iterator[None]:
        """A lock across threads and processes sharing the store; the TTL frees
        it if its holder dies."""
        key = f"lock:{name}"
        deadline = time.monotonic() + wait_seconds
        while True:
            marker = self._take(key, ttl_seconds)
            if marker is not None:
                break
            if time.monotonic() > deadline:
                raise LockTimeout(f"the store lock {name!r} was not free within {wait_seconds:g}s")
            time.sleep(0.02)
        try:
            yield
        finally:
            self._release(key, marker)

    def ping(self) -> bool:
        """Whether the store answers (for /readyz)."""
        self.huey.storage.peek_data("kv:ping")
        return True
