"""The bot's durable store: its job queue plus a little key-value state.

huey provides both over SQLite by default (one file, nothing to run) and over
Redis when several instances share work (``REDIS_URL``/``NUMBOT_STORE_URL``).
Re-delivery marks, job leases, the in-flight journal, rate-limit pauses, the
rotating refresh token and the cross-process locks all live in the same store
as the jobs, so one backend setting moves everything together.

Everything that must be exclusive (a claim, a lease, a lock) is built on one
atomic primitive per backend, compare-and-set (:meth:`Store._cas`): SQLite
does it with a conditional statement, Redis with a small Lua script. A marker
says until when it holds (``<epoch seconds>:<owner>``), so an expired marker
can be told from a live one on both backends.
"""
from __future__ import annotations

import json
import os
import time
import uuid
from contextlib import contextmanager
from typing import Iterable, Iterator, NamedTuple, Optional
from urllib.parse import urlparse

from huey import Huey, RedisExpireHuey, SqliteHuey
from huey.constants import EmptyData
from huey.storage import RedisExpireStorage, SqliteStorage

QUEUE_NAME = "numbot"
CLAIM_SECONDS = 7 * 24 * 3600  # how long a handled event is remembered (re-deliveries come within minutes)
# A lapsed lease stays readable this long, so the sweeper can tell "a worker started this event and
# died" from "nobody started it yet" (Redis would otherwise drop the key at its expiry).
LAPSED_LEASE_KEPT_SECONDS = 24 * 3600


def make_huey(store_url: str) -> Huey:
    """``sqlite:///path`` (relative) or ``sqlite:////abs/path``, or ``redis://…``."""
    parsed = urlparse(store_url)
    if parsed.scheme == "sqlite":
        path = store_url[len("sqlite:///") :] if store_url.startswith("sqlite:///") else parsed.path
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=path, fsync=True, timeout=10, results=False)
    if parsed.scheme in ("redis", "rediss", "unix"):
        # The "expire" flavour: values can carry real Redis TTLs (SET ... PX).
        return RedisExpireHuey(QUEUE_NAME, url=store_url, results=False)
    raise ValueError(f"NUMBOT_STORE_URL must start with sqlite:// or redis://, not {parsed.scheme}://")


class LockTimeout(Exception):
    """A store lock could not be taken in time (its holder is slow or died recently)."""


def _marker(ttl_seconds: float) -> bytes:
    """A stored value that says until when it holds: ``<epoch seconds, fixed width>:<owner>``.

    Fixed width so that SQLite can compare expiries as text when it prunes."""
    return f"{time.time() + ttl_seconds:017.3f}:{uuid.uuid4().hex}".encode("ascii")


def expiry_of(value: object) -> Optional[float]:
    """When a marker expires (epoch seconds); None when ``value`` is not a marker."""
    if not isinstance(value, (bytes, bytearray, memoryview)):
        return None
    try:
        return float(bytes(value).split(b":", 1)[0])
    except ValueError:
        return None


def _expired(value: object) -> bool:
    expiry = expiry_of(value)
    return expiry is None or expiry <= time.time()


def _bytes(value: object) -> Optional[bytes]:
    if value is EmptyData or value is None:
        return None
    return bytes(value) if isinstance(value, (bytes, bytearray, memoryview)) else str(value).encode("utf-8")


# Redis: set KEYS[1] to ARGV[2] (or delete it when ARGV[2] is empty) only if it holds ARGV[1]
# (or is absent when ARGV[1] is empty); ARGV[3]: a TTL in milliseconds, 0 for none.
_REDIS_CAS = """
local current = redis.call('get', KEYS[1])
if ARGV[1] == '' then
  if current then return 0 end
elseif current ~= ARGV[1] then
  return 0
end
if ARGV[2] == '' then
  redis.call('del', KEYS[1])
elseif tonumber(ARGV[3]) > 0 then
  redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3])
else
  redis.call('set', KEYS[1], ARGV[2])
end
return 1
"""


class InFlight(NamedTuple):
    """A journalled event: acknowledged to Webex, not yet handled."""

    key: str
    event: dict
    queued_at: float


class Store:
    """Small typed helpers over huey's storage: claims, leases, locks, the journal, JSON values."""

    PRUNE_EVERY = 500  # claims between two prunings of expired ones (SQLite)

    def __init__(self, huey: Huey) -> None:
        self.huey = huey
        self._redis = isinstance(huey.storage, RedisExpireStorage)
        self._cas_script = huey.storage.conn.register_script(_REDIS_CAS) if self._redis else None
        self._claims = 0

    # -- the atomic primitive -------------------------------------------------

    def _cas(self, key: str, expected: Optional[bytes], new: Optional[bytes], ttl: Optional[float] = None) -> bool:
        """Set ``key`` to ``new`` (delete it when None) if it holds ``expected`` (is absent when
        None); ``ttl``: Redis drops the key after that many seconds. True when it was done."""
        storage = self.huey.storage
        if self._redis:
            assert self._cas_script is not None
            millis = int(ttl * 1000) if ttl else 0
            done = self._cas_script(keys=[storage.result_key(key)],
                                    args=[expected or b"", new or b"", max(0, millis)])
            return bool(done)
        assert isinstance(storage, SqliteStorage)
        with storage.db(commit=True) as cursor:
            if expected is None and new is None:
                cursor.execute("select 1 from kv where queue = ? and key = ?", (storage.name, key))
                return cursor.fetchone() is None
            if expected is None:
                cursor.execute("insert or ignore into kv (queue, key, value) values (?, ?, ?)",
                               (storage.name, key, new))
            elif new is None:
                cursor.execute("delete from kv where queue = ? and key = ? and value = ?",
                               (storage.name, key, expected))
            else:
                cursor.execute("update kv set value = ? where queue = ? and key = ? and value = ?",
                               (new, storage.name, key, expected))
            return cursor.rowcount == 1

    def _get(self, key: str) -> Optional[bytes]:
        return _bytes(self.huey.storage.peek_data(key))

    def _get_many(self, keys: list[str]) -> dict[str, bytes]:
        storage = self.huey.storage
        if not keys:
            return {}
        if self._redis:
            return {k: bytes(v) for k, v in storage.peek_many(keys).items()}
        found: dict[str, bytes] = {}
        for start in range(0, len(keys), 500):  # SQLite caps the number of bound parameters
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = storage.sql(f"select key, value from kv where queue = ? and key in ({marks})",
                               (storage.name, *chunk), results=True)
            found.update({k: bytes(v) for k, v in rows})
        return found

    def _take(self, key: str, ttl_seconds: float, kept_seconds: float = 0.0) -> Optional[bytes]:
        """Put a fresh marker under ``key`` unless a live one is there; the marker, or None.
        ``kept_seconds``: how long after its expiry Redis keeps the marker readable."""
        marker = _marker(ttl_seconds)
        for _ in range(3):
            current = self._get(key)
            if current is not None and not _expired(current):
                return None
            if self._cas(key, current, marker, ttl_seconds + kept_seconds):
                return marker
        return None  # lost three races in a row: someone else has it

    # -- claims: "this event was handled" ------------------------------------

    def claim(self, key: str, ttl_seconds: float = CLAIM_SECONDS) -> bool:
        """True the first time ``key`` is claimed within ``ttl_seconds``, by any
        process sharing the store."""
        claimed = self._take(f"claim:{key}", ttl_seconds) is not None
        self._claims += 1
        if self._claims % self.PRUNE_EVERY == 0:
            self.prune()
        return claimed

    def unclaim(self, key: str) -> None:
        """Forget a claim (a press answered with an error may be pressed again at once)."""
        self.huey.storage.delete_data(f"claim:{key}")

    def is_claimed(self, key: str) -> bool:
        return not _expired(self._get(f"claim:{key}"))

    # -- leases: "a worker is handling this event right now" -------------------

    def lease(self, key: str, ttl_seconds: float) -> Optional[bytes]:
        """Exclusive right to work on ``key`` for ``ttl_seconds`` (then it lapses, e.g.
        because its holder died); a token for :meth:`renew` and :meth:`release`, or None
        when someone else holds it."""
        return self._take(f"lease:{key}", ttl_seconds, LAPSED_LEASE_KEPT_SECONDS)

    def renew(self, key: str, token: bytes, ttl_seconds: float) -> Optional[bytes]:
        """Extend a lease we still hold; the new token, or None when it was lost."""
        fresh = _marker(ttl_seconds)
        if self._cas(f"lease:{key}", token, fresh, ttl_seconds + LAPSED_LEASE_KEPT_SECONDS):
            return fresh
        return None

    def lease_held(self, key: str) -> bool:
        return not _expired(self._get(f"lease:{key}"))

    def release(self, key: str, token: bytes) -> None:
        # Only our own marker: after our TTL ran out, another holder may have it.
        self._cas(f"lease:{key}", token, None)

    # -- the in-flight journal -------------------------------------------------
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

    def inflight(self) -> list[InFlight]:
        """Every journalled event, with when it was last queued."""
        prefix = "kv:inflight:"
        found = []
        for key, raw in self._scan(prefix):
            try:
                entry = json.loads(raw)
                found.append(InFlight(key[len(prefix) :], entry["event"], float(entry["queued_at"])))
            except (ValueError, KeyError, TypeError):
                self.huey.storage.delete_data(key)  # unreadable: nothing could ever handle it
        return found

    def markers(self, kind: str, keys: Iterable[str]) -> dict[str, bytes]:
        """The ``kind`` ("claim", "lease") markers of these event keys, read in one go."""
        names = {f"{kind}:{key}": key for key in keys}
        return {names[name]: value for name, value in self._get_many(list(names)).items()}

    def _scan(self, prefix: str) -> list[tuple[str, bytes]]:
        storage = self.huey.storage
        if self._redis:
            keys = list(storage.conn.scan_iter(match=storage.result_key(prefix) + b"*", count=1000))
            if not keys:
                return []
            cut = len(storage.result_key(""))
            values = storage.conn.mget(keys)
            return [(k[cut:].decode("utf-8"), bytes(v)) for k, v in zip(keys, values) if v is not None]
        rows = storage.sql("select key, value from kv where queue = ? and key like ?", (storage.name, prefix + "%"),
                           results=True)
        return [(k, bytes(v)) for k, v in rows]

    def prune(self) -> int:
        """Delete expired claims and locks, and leases lapsed for long (SQLite; Redis expires
        them itself). How many went."""
        storage = self.huey.storage
        if not isinstance(storage, SqliteStorage):
            return 0
        now = time.time()
        pruned = 0
        with storage.db(commit=True) as cursor:
            for pattern, before in (("claim:%", now), ("lock:%", now), ("lease:%", now - LAPSED_LEASE_KEPT_SECONDS)):
                cursor.execute(
                    "delete from kv where queue = ? and key like ? and substr(cast(value as text), 1, 17) < ?",
                    (storage.name, pattern, f"{before:017.3f}"),
                )
                pruned += cursor.rowcount
        return pruned

    # -- JSON values -------------------------------------------------------------

    def get_json(self, key: str) -> Optional[dict]:
        raw = self._get(f"kv:{key}")
        if raw is None:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def put_json(self, key: str, value: dict) -> None:
        self.huey.storage.put_data(f"kv:{key}", json.dumps(value).encode("utf-8"))

    def delete_json(self, key: str) -> None:
        self.huey.storage.delete_data(f"kv:{key}")

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
            self._cas(key, marker, None)

    def ping(self) -> bool:
        """Whether the store answers (for /readyz)."""
        self._get("kv:ping")
        return True
