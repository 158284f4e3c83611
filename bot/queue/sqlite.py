"""huey's SQLite storage as the bot tunes it: one file that many threads of several processes (a
host's gunicorn workers) read and write in small transactions, while the webhook's acknowledgement
waits for its own write to be on disk.

As huey ships it, its storage queues every read and write of a process behind one lock; leaves a
writer that meets another process's transaction to sleep in SQLite's busy handler; syncs each
commit while it holds the write lock (``fsync=True`` is ``synchronous=FULL``); and has the commit
that grows the write-ahead log past 1000 pages copy the log into the database, every writer
waiting. Under load each of these was a tail of the acknowledgement. :class:`SharedSqliteStorage`
removes them (its docstring and comments say how, and what was measured) and keeps huey's tables
and interface, so huey and ``bot.queue.store.Store`` use it as they would huey's own. It also
creates the event queue's table (``bot.queue.eventqueue``) beside huey's.
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, Optional

from huey.storage import SqliteStorage

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows: SQLite's own busy handler serialises writers
    fcntl = None  # type: ignore[assignment]

datasync = getattr(os, "fdatasync", os.fsync)  # macOS has no fdatasync

# The event queue's table (``bot.queue.eventqueue``): one row per acknowledged, unfinished event. ``due``:
# when it may be taken (epoch seconds): its acknowledgement, then a lease ahead at each take and
# renewal. ``event``: its body, as ``bot.queue.eventqueue.encode`` spells it.
EVENT_TABLE_DDL = [
    "create table if not exists numbot_event (queue text not null, key text not null, event text not null, "
    "due real not null, token text, attempts integer not null default 0, primary key (queue, key))",
    "create index if not exists numbot_event_due on numbot_event (queue, due)",
]


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


class SharedSqliteStorage(SqliteStorage):
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
            conn = autocommit(self.filename, self._timeout)  # each read sees the last commit
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
            datasync(self._log_file[1])
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


def autocommit(filename: str, timeout: float) -> sqlite3.Connection:
    """A connection outside huey's: no transaction of its own, any thread of this process."""
    conn = sqlite3.connect(filename, timeout=timeout, check_same_thread=False)
    conn.isolation_level = None
    return conn


def _checkpoints(storage_ref: weakref.ref[SharedSqliteStorage], filename: str, timeout: float) -> None:
    """A thread of each process that writes: checkpoints every ``CHECKPOINT_SECONDS``, on a
    connection of its own, while the storage lives and is open."""
    conn = autocommit(filename, timeout)
    try:
        while True:
            time.sleep(SharedSqliteStorage.CHECKPOINT_SECONDS)
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
