"""The bot's durable store: huey's storage (SQLite file or Redis) and a little key-value state.

huey provides the storage over SQLite by default (one file, nothing to run) and over Redis when
several instances share work (``REDIS_URL``/``NUMBOT_STORE_URL``). The event queue
(``bot.queue.eventqueue``), re-delivery claims, rate-limit pauses, the rotating refresh token and the
cross-process locks all live in it, so one backend setting moves everything together.

Claims and locks are built on one atomic primitive per backend, compare-and-set
(:meth:`Store._cas`): SQLite does it with a conditional statement, Redis with a small Lua script.
A marker says until when it holds (``<epoch seconds>:<owner>``), so an expired marker can be told
from a live one on both backends.
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, Optional
from urllib.parse import urlparse

from huey import Huey, RedisExpireHuey
from huey.constants import EmptyData
from huey.storage import RedisExpireStorage, SqliteStorage

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows: SQLite's own busy handler serialises writers
    fcntl = None  # type: ignore[assignment]

_datasync = getattr(os, "fdatasync", os.fsync)  # macOS has no fdatasync

QUEUE_NAME = "numbot"
CLAIM_SECONDS = 7 * 24 * 3600  # how long a handled event is remembered (re-deliveries come within minutes)
# A lapsed lease stays readable this long, so the sweeper can tell "a worker started this event and
# died" from "nobody started it yet" (Redis would otherwise drop the key at its expiry).
LAPSED_LEASE_KEPT_SECONDS = 24 * 3600
REDIS_TIMEOUT_SECONDS = 5.0

# The event queue's table (``bot.queue.eventqueue``): one row per acknowledged, unfinished event. ``due``:
# when it may be taken (epoch seconds): its acknowledgement, then a lease ahead at each take and
# renewal. ``event``: its body, as ``bot.queue.eventqueue.encode`` spells it.
EVENT_TABLE_DDL = [
    "create table if not exists numbot_event (queue text not null, key text not null, event text not null, "
    "due real not null, token text, attempts integer not null default 0, primary key (queue, key))",
    "create index if not exists numbot_event_due on numbot_event (queue, due)",
]


def make_huey(store_url: str) -> Huey:
    """``sqlite:///path`` (relative) or ``sqlite:////abs/path``, or ``redis://…``."""
    parsed = urlparse(store_url)
    if parsed.scheme == "sqlite":
        path = store_url[len("sqlite:///") :] if store_url.startswith("sqlite:///") else parsed.path
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        return Huey(QUEUE_NAME, storage_class=_SqliteStorage, filename=path, fsync=True, timeout=10, results=False)
    if parsed.scheme in ("redis", "rediss", "unix"):
        # The "expire" flavour: values can carry real Redis TTLs (SET ... PX). Nothing blocks on
        # Redis (the event queue is polled, ``bot.queue.jobs``), so every call may time out: a Redis that
        # is down or restarting fails a call within seconds (the webhook answers 503, a worker
        # waits and tries again) instead of hanging a thread.
        import redis

        pool = redis.ConnectionPool.from_url(store_url, socket_timeout=REDIS_TIMEOUT_SECONDS,
                                             socket_connect_timeout=REDIS_TIMEOUT_SECONDS, health_check_interval=30)
        return RedisExpireHuey(QUEUE_NAME, connection_pool=pool, blocking=False, results=False)
    raise ValueError(f"NUMBOT_STORE_URL must start with sqlite:// or redis://, not {parsed.scheme}://")


class _Turn:
    """A lock whose urgent takers go before the other takers that wait."""

    def __init__(self) -> None:
        lock = threading.Lock()
        self._urgent_turn, self._other_turn = threading.Condition(lock), threading.Condition(lock)
        self._held = False
        self._urgent = 0  # urgent takers waiting

    @contextmanager
    def hold(self, urgent: bool = False) -> Iterator[None]:
        with self._urgent_turn:
            if urgent:
                self._urgent += 1
                while self._held:
                    self._urgent_turn.wait()
                self._urgent -= 1
            else:
                while self._held or self._urgent:
                    self._other_turn.wait()
            self._held = True
        try:
            yield
        finally:
            with self._urgent_turn:
                self._held = False
                (self._urgent_turn if self._urgent else self._other_turn).notify()


class _SqliteStorage(SqliteStorage):
    """huey's SQLite storage (WAL), made for many threads in several processes.

    - Reads go through a connection of their own thread and take no lock: in WAL mode readers see
      the last commit and never wait for a writer.
    - A writer takes a lock file (``flock``) after the process's own lock and before SQLite's, so a
      writer in another process waits in the kernel and is woken the moment the lock is free.
      Left to SQLite, it would get "database is locked" and its busy handler would sleep 1, 2, 5,
      10 ... 100 ms between tries (sqlite3.c, sqliteDefaultBusyCallback), holding the process's
      lock all the while: that sleep was the acknowledgement's tail under load.
    - Commits append to the write-ahead log without waiting for the disk (``synchronous=NORMAL``),
      so the write lock is held for microseconds, not for an fsync. A durable write (the default)
      then syncs the log itself, after letting go of the locks, before it returns: it is on disk
      as with ``synchronous=FULL``, but writers no longer queue behind each other's fsync, and one
      sync covers every commit of the process made before it started (``_sync_log``). Its frames
      are either still in the log this sync flushes, or a checkpoint already copied them to the
      database file and synced that
      (NORMAL syncs at every checkpoint: sqlite.org/pragma.html#pragma_synchronous).
      ``durable=False`` skips the sync (a worker's locks, taking an event from the queue,
      renewing and finishing it): such a write survives the death of any process like every write, and a
      machine crash only loses it if it comes before the next durable write's sync.
    """

    ddl: ClassVar[list[str]] = [*SqliteStorage.ddl, *EVENT_TABLE_DDL]
    CHECKPOINT_SECONDS = 0.5
    RESTART_LOG_FRAMES = 4096  # pages: 16 MB
    RESTART_WAIT_MS = 2
    MAX_LOG_BYTES = 64 * 2**20

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._readers = threading.local()
        self._turn = _Turn()  # instead of huey's plain lock: the webhook's writes go first
        self._lock_file: Optional[tuple[int, int]] = None  # (pid, fd): descriptors are per process
        self._log_file: Optional[tuple[int, int, int]] = None  # (pid, fd, inode) of the -wal file
        self._log_lock = threading.Lock()  # one sync of the log at a time (``_sync_log``)
        self._commits = 0  # this process's commits so far
        self._synced = 0  # how many of them are known to be on disk
        self._wal = False
        self._checkpointer: Optional[tuple[int, threading.Thread]] = None
        self.closed = False
        super().__init__(*args, **kwargs)

    def _create_connection(self) -> sqlite3.Connection:
        conn = super()._create_connection()
        mode = conn.execute("pragma journal_mode").fetchone()[0]
        self._wal = str(mode).lower() == "wal"
        # Without a write-ahead log (a file system that cannot share memory), every commit is synced.
        conn.execute(f"pragma synchronous={1 if self._wal else 2}")
        if self._wal:
            # The log is copied into the database by a thread of its own (``_checkpoints``), not by
            # whichever writer's commit crosses 1000 pages while it holds the write lock: that copy
            # and its syncs stalled every writer, acknowledgements included, for up to 40 ms.
            conn.execute("pragma wal_autocheckpoint=0")
            self._start_checkpoints()
        return conn

    def _start_checkpoints(self) -> None:
        if self._checkpointer is not None and self._checkpointer[0] == os.getpid() and self._checkpointer[1].is_alive():
            return
        # The thread holds the storage weakly: it ends once the storage is closed or forgotten.
        thread = threading.Thread(target=_checkpoints, args=(weakref.ref(self), self.filename, self._timeout),
                                  name="numbot-store-checkpoint", daemon=True)
        self._checkpointer = (os.getpid(), thread)
        thread.start()

    def checkpoint(self, conn: sqlite3.Connection) -> None:
        """Copy the log into the database without stopping writers (a passive checkpoint), and see
        that the log starts again from its beginning.

        A passive checkpoint copies every frame, but the log only starts over when a writer finds
        no reader on it, and under load the threads' reads never stop: the log grew by about 4 MB
        a second at 400 events a second, to ``MAX_LOG_BYTES``, where it is copied whole once, the
        writers waiting meanwhile, and cut to nothing (TRUNCATE): 35 ms without a write, every
        acknowledgement of both processes waiting (the load bench, timed in the checkpoint). So
        once a copied log holds ``RESTART_LOG_FRAMES``, a RESTART checkpoint, the writers
        stopped, copies the few frames written since and waits up to ``RESTART_WAIT_MS`` for the
        readers to leave the log, which then starts over at the next write: 2-7 ms without a
        write about once a second under that load, and the log stays under 40 MB. (A RESTART
        leaves the file its size: TRUNCATE, not RESTART, is what brings a log past the limit
        back, or every later checkpoint would stop the writers again.)"""
        busy, frames, copied = conn.execute("pragma wal_checkpoint(PASSIVE)").fetchone()
        if os.path.getsize(self.filename + "-wal") > self.MAX_LOG_BYTES:
            with self._turn.hold(), self._file_lock():
                conn.execute("pragma wal_checkpoint(TRUNCATE)").fetchall()
        elif not busy and frames >= self.RESTART_LOG_FRAMES and copied == frames:
            wait_ms = conn.execute("pragma busy_timeout").fetchone()[0]
            with self._turn.hold(), self._file_lock():
                conn.execute(f"pragma busy_timeout = {self.RESTART_WAIT_MS}")
                try:
                    conn.execute("pragma wal_checkpoint(RESTART)").fetchall()  # busy: next time
                finally:
                    conn.execute(f"pragma busy_timeout = {int(wait_ms)}")

    def sql(self, query: str, params: Any = None, commit: bool = False, results: bool = False) -> Any:
        if commit or query.lstrip()[:6].lower() != "select":
            return super().sql(query, params, commit, results)
        cursor = self._reader().cursor()
        try:
            cursor.execute(query, params or ())
            return cursor.fetchall() if results else None
        finally:
            cursor.close()

    def _reader(self) -> sqlite3.Connection:
        conn: Optional[sqlite3.Connection] = getattr(self._readers, "conn", None)
        if conn is None or getattr(self._readers, "pid", None) != os.getpid():
            conn = _autocommit(self.filename, self._timeout)  # each read sees the last commit
            self._readers.conn, self._readers.pid = conn, os.getpid()
        return conn

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        if fcntl is None:
            yield
            return
        if self._lock_file is None or self._lock_file[0] != os.getpid():  # a forked child opens its own
            self._lock_file = (os.getpid(), os.open(self.filename + ".lock", os.O_RDWR | os.O_CREAT, 0o600))
        fd = self._lock_file[1]
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def _sync_log(self, commit: int) -> None:
        """Sync the write-ahead log, so that this process's ``commit``-th commit is on disk.

        One sync at a time per process, and a sync covers every commit made before it started: a
        writer that waited while another synced finds its own commit covered most of the time and
        returns without a sync of its own (group commit). Under load that is several commits per
        sync, and a sync costs about as much CPU as the rest of a write (fdatasync, 0.17 ms here)."""
        with self._log_lock:
            if self._synced >= commit:
                return
            covered = self._commits  # every commit counted here has been written to the log
            path = self.filename + "-wal"
            try:
                inode = os.stat(path).st_ino
            except FileNotFoundError:  # no log: every commit is in the database file, synced at the checkpoint
                self._synced = max(self._synced, covered)
                return
            if self._log_file is None or self._log_file[0] != os.getpid() or self._log_file[2] != inode:
                # A new log (or a forked child): open it, and close the descriptor of the old one.
                if self._log_file is not None and self._log_file[0] == os.getpid():
                    os.close(self._log_file[1])
                self._log_file = (os.getpid(), os.open(path, os.O_RDONLY), inode)
            # fdatasync, as SQLite itself syncs its log on Linux: the frames, without the file's times.
            _datasync(self._log_file[1])
            self._synced = max(self._synced, covered)

    @contextmanager
    def db(self, commit: bool = False, close: bool = False, durable: bool = True,
           urgent: bool = False, committed: Optional[Callable[[], None]] = None) -> Iterator[sqlite3.Cursor]:
        """huey's writer: the process's turn, then the lock file, then SQLite's transaction; then,
        for a durable commit, the log's sync. ``urgent``: ahead of every other writer of this
        process that is waiting (the webhook's acknowledgement must not queue behind the workers).
        ``committed``: called once the commit is visible to every reader, before the sync (a worker
        can start on a queued event while the webhook waits for the disk)."""
        number = 0  # which of this process's commits this one is (none: nothing to sync)
        with self._turn.hold(urgent), self._file_lock():
            conn = self.conn
            cursor = conn.cursor()
            changes = conn.total_changes
            try:
                if commit:
                    cursor.execute(self.begin_sql)
                yield cursor
            except Exception:
                if commit:
                    conn.rollback()
                raise
            else:
                if commit:
                    conn.commit()
                    if conn.total_changes != changes:  # a transaction that wrote nothing needs no sync
                        self._commits += 1
                        number = self._commits
            finally:
                cursor.close()
                if close:
                    conn.close()
                    self._conn = None
        if number and committed is not None:
            committed()
        if commit and durable and self._wal:
            self._sync_log(number)

    def close(self) -> bool:
        self.closed = True  # the checkpoint thread ends
        with self._turn.hold():
            return super().close()

def _autocommit(filename: str, timeout: float) -> sqlite3.Connection:
    """A connection outside huey's: no transaction of its own, any thread of this process."""
    conn = sqlite3.connect(filename, timeout=timeout, check_same_thread=False)
    conn.isolation_level = None
    return conn


def _checkpoints(storage_ref: weakref.ref[_SqliteStorage], filename: str, timeout: float) -> None:
    """A thread of each process that writes: checkpoints every ``CHECKPOINT_SECONDS``, on a
    connection of its own, while the storage lives and is open."""
    conn = _autocommit(filename, timeout)
    try:
        while True:
            time.sleep(_SqliteStorage.CHECKPOINT_SECONDS)
            storage = storage_ref()
            if storage is None or storage.closed:
                return
            try:
                storage.checkpoint(conn)
            except (sqlite3.Error, OSError):  # locked, or the file is gone: next time, or the end
                if not os.path.exists(filename):
                    return
            finally:
                del storage
    finally:
        conn.close()


_PREFIX_SQL = "select key, value from kv where queue = ? and key >= ? and key < ?"  # the keys with one prefix


def _past(prefix: str) -> str:
    """The first string after every key that starts with ``prefix``: with it, a key range takes
    the place of LIKE, which is case-insensitive and so cannot use the primary key."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def store_errors() -> tuple[type[BaseException], ...]:
    """What the store raises when it cannot be reached (Redis down or restarting, SQLite's file
    locked past its timeout): an event that meets one is left for a later attempt, not answered
    with a crash card (``bot.conversation.events``, ``bot.queue.jobs``)."""
    errors: list[type[BaseException]] = [sqlite3.OperationalError]
    try:
        import redis
    except ImportError:  # pragma: no cover - the redis extra is not installed: SQLite only
        return tuple(errors)
    return (*errors, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


STORE_ERRORS = store_errors()


class StoreUnavailable(Exception):
    """The store could not be reached while an event was being answered: the worker hands the event
    back (or leaves it to its lease) for a later attempt."""


class LockTimeout(Exception):
    """A store lock could not be taken in time (its holder is slow or died recently)."""


def _marker(ttl_seconds: float, owner: Optional[str] = None) -> bytes:
    """A stored value that says until when it holds: ``<epoch seconds, fixed width>:<owner>``
    (a fresh random owner unless one is given).

    Fixed width so that SQLite can compare expiries as text when it prunes."""
    return f"{time.time() + ttl_seconds:017.3f}:{owner or uuid.uuid4().hex}".encode()


def _owner_of(value: Optional[bytes]) -> Optional[str]:
    return value.split(b":", 1)[1].decode("utf-8", "replace") if value and b":" in value else None


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


class Store:
    """Small typed helpers over huey's storage: claims, locks, JSON values, and the SQLite
    transactions and reads the event queue (``bot.queue.eventqueue``) is built on."""

    # Expired claims, locks and long-lapsed leases are pruned (SQLite) from claims and finished
    # events, at most every PRUNE_SECONDS per process and a slice at a time: the next PRUNE_ROWS
    # keys of each kind after where the process's last slice stopped. A prune holds the write lock,
    # every acknowledgement and worker of every process waiting, and a week of claims is kept:
    # pruning them all at once held it 15 ms with 60,000 claims and 125-300 ms with 600,000 (a week
    # at one event a second), once a minute; on the load bench's long run (60,000 claims by its
    # end) numbot's answer p99 at 0 ms and 50/s was 26-38 ms in the runs a prune fell in, 10-13 in
    # the others. A slice holds it about a millisecond, and the walk still passes every claim in
    # PRUNE_SECONDS x claims / PRUNE_ROWS (under two hours for a week at ten events a second).
    PRUNE_SECONDS = 1.0
    PRUNE_ROWS = 1000
    def __init__(self, huey: Huey) -> None:
        self.huey = huey
        self._redis = isinstance(huey.storage, RedisExpireStorage)
        conn = huey.storage.conn if self._redis else None
        self._cas_script = conn.register_script(_REDIS_CAS) if conn is not None else None
        self._pruned_at = time.monotonic()
        self._prune_after: dict[str, str] = {}  # kind ("claim:") -> the last key its previous slice looked at

    @property
    def is_redis(self) -> bool:
        return self._redis

    # -- the atomic primitive -------------------------------------------------

    def _cas(self, key: str, expected: Optional[bytes], new: Optional[bytes], ttl: Optional[float] = None,
             durable: bool = True) -> bool:
        """Set ``key`` to ``new`` (delete it when None) if it holds ``expected`` (is absent when
        None); ``ttl``: Redis drops the key after that many seconds. True when it was done.
        ``durable=False``: SQLite need not sync it to disk before returning (see ``_SqliteStorage``)."""
        storage = self.huey.storage
        if self._redis:
            assert self._cas_script is not None
            millis = int(ttl * 1000) if ttl else 0
            done = self._cas_script(keys=[storage.result_key(key)],
                                    args=[expected or b"", new or b"", max(0, millis)])
            return bool(done)
        with self.write(durable) as cursor:
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

    @contextmanager
    def write(self, durable: bool = True, urgent: bool = False,
               committed: Optional[Callable[[], None]] = None) -> Iterator[sqlite3.Cursor]:
        """A SQLite write transaction; synced to disk before it ends unless ``durable`` is False;
        ``urgent``: ahead of this process's other waiting writers; ``committed``: see
        :meth:`_SqliteStorage.db`."""
        storage = self.huey.storage
        assert isinstance(storage, _SqliteStorage)  # make_huey's SQLite storage
        with storage.db(commit=True, durable=durable, urgent=urgent, committed=committed) as cursor:
            yield cursor

    def read(self, query: str, params: tuple) -> list[tuple]:
        """SQLite: rows of a read, on this thread's reader connection, taking no lock."""
        return self.huey.storage.sql(query, params, results=True)

    def _get(self, key: str) -> Optional[bytes]:
        return _bytes(self.huey.storage.peek_data(key))

    def _take(self, key: str, ttl_seconds: float, kept_seconds: float = 0.0, durable: bool = True,
              owner: Optional[str] = None) -> Optional[bytes]:
        """Put a fresh marker under ``key`` unless a live one is there (one of another ``owner``,
        when one is given); the marker, or None. ``kept_seconds``: how long after its expiry Redis
        keeps the marker readable."""
        marker = _marker(ttl_seconds, owner)
        for _ in range(3):
            current = self._get(key)
            if current is not None and not _expired(current):
                return current if owner is not None and _owner_of(current) == owner else None
            if self._cas(key, current, marker, ttl_seconds + kept_seconds, durable):
                return marker
        return None  # lost three races in a row: someone else has it

    # -- claims: "this event was handled" ------------------------------------

    def claim(self, key: str, ttl_seconds: float = CLAIM_SECONDS, durable: bool = True,
              owner: Optional[str] = None) -> bool:
        """True the first time ``key`` is claimed within ``ttl_seconds``, by any process sharing
        the store; with ``owner``, also when that owner holds the claim already (an event taken
        again after its worker died claims what it claimed before). ``durable=False``: not synced
        (see ``_SqliteStorage``)."""
        claimed = self._take(f"claim:{key}", ttl_seconds, durable=durable, owner=owner) is not None
        self.prune_now_and_then()
        return claimed

    def prune_now_and_then(self) -> None:
        now = time.monotonic()
        if now - self._pruned_at >= self.PRUNE_SECONDS:
            self._pruned_at = now
            self.prune(self.PRUNE_ROWS)

    def unclaim(self, key: str) -> None:
        """Forget a claim (a press answered with an error may be pressed again at once)."""
        self.huey.storage.delete_data(f"claim:{key}")

    def is_claimed(self, key: str) -> bool:
        return not _expired(self._get(f"claim:{key}"))

    # -- leases: "a worker is handling this event right now" -------------------

    def _scan(self, prefix: str) -> list[tuple[str, bytes]]:
        """SQLite: the keys with ``prefix`` and their values (Redis lists the journal from its index)."""
        storage = self.huey.storage
        # A key range (``_past``): the sweeper lists the journal every few seconds, and LIKE read
        # every row of the table to do it, a week of claims included (100 ms of CPU at 600,000
        # claims, in each process).
        rows = storage.sql(_PREFIX_SQL, (storage.name, prefix, _past(prefix)), results=True)
        return [(k, bytes(v)) for k, v in rows]

    def prune(self, rows: Optional[int] = None) -> int:
        """Delete expired claims and locks, and leases lapsed for long (SQLite; Redis expires
        them itself). How many went. ``rows``: only among the next ``rows`` keys of each kind after
        where this store's previous slice stopped, starting over once a kind's last key was looked
        at (see ``PRUNE_SECONDS``); None: among all of them."""
        storage = self.huey.storage
        if not isinstance(storage, SqliteStorage):
            return 0
        now = time.time()
        pruned = 0
        with self.write(durable=False) as cursor:
            for prefix, before in (("claim:", now), ("lock:", now), ("lease:", now - LAPSED_LEASE_KEPT_SECONDS)):
                # A key range (``_past``): only that prefix's rows are read; no key is the bare prefix.
                after, end, upto = self._prune_after.get(prefix, prefix) if rows else prefix, _past(prefix), None
                if rows:
                    cursor.execute("select count(*), max(key) from (select key from kv where queue = ? and key > ? "
                                   "and key < ? order by key limit ?)", (storage.name, after, end, rows))
                    seen, upto = cursor.fetchone()
                    self._prune_after[prefix] = upto if upto is not None and seen == rows else prefix  # else: the end
                    if upto is None:
                        continue
                expiry = f"{before:017.3f}"
                expired = "substr(cast(value as text), 1, 17) < ?"
                if upto is None:
                    cursor.execute(f"delete from kv where queue = ? and key > ? and key < ? and {expired}",
                                   (storage.name, after, end, expiry))
                else:  # the slice: up to and including its last key
                    cursor.execute(f"delete from kv where queue = ? and key > ? and key <= ? and {expired}",
                                   (storage.name, after, upto, expiry))
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
            marker = self._take(key, ttl_seconds, durable=False)  # a lock means nothing after a crash
            if marker is not None:
                break
            if time.monotonic() > deadline:
                raise LockTimeout(f"the store lock {name!r} was not free within {wait_seconds:g}s")
            time.sleep(0.02)
        try:
            yield
        finally:
            self._cas(key, marker, None, durable=False)

    def ping(self) -> bool:
        """Whether the store answers (for /readyz)."""
        self._get("kv:ping")
        return True
