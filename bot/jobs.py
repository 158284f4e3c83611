"""The job queue between the webhook and the workers.

``POST /webhook`` only stores the event and answers; workers do the Webex
calls. Jobs live in the store (SQLite file or Redis), so an acknowledged event
survives a crash or restart of the bot and is handled after it.

huey drops a job from its queue as soon as a worker takes it, so the store
also keeps an in-flight journal (``Store.journal_and_queue``) that the handler
clears when it is done. A sweeper (every few seconds) re-queues journalled
events whose worker died: those whose lease (``bot.leases``) lapsed after they
were last queued. As a safety net it also re-queues an event that no worker
has started ``recover_after`` seconds after it was queued (a process that died
between taking the job from the queue and taking its lease). Duplicates that
this may queue are harmless: the handler drops an event that was already
handled or that another worker holds.

The workers are threads of the web process (or of ``python -m bot worker``).
Their Webex calls wait on the network, not the CPU: each event spends most
of its time in about three round trips to Webex, so a process runs many
workers (``NUMBOT_WORKERS``) whatever its core count. A worker that finds the
queue empty sleeps until an event is queued: in the same process
``Jobs.submit`` wakes it directly; an event queued by another process is
seen within ``POLL_SECONDS`` (SQLite), or at once (Redis: the worker blocks
on the queue's list).
"""
from __future__ import annotations

import logging
import math
import os
import sys
import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Callable, Optional

from bot.store import Store, expiry_of

if TYPE_CHECKING:
    from huey import Huey

log = logging.getLogger(__name__)

TASK_NAME = "numbot.handle_event"
# How soon idle workers notice an event another process queued (SQLite): within POLL_SECONDS
# while this process has had work in the last BUSY_SECONDS, within IDLE_POLL_SECONDS otherwise (an
# idle bot does not keep reading its store; its own webhook still wakes a worker at once).
POLL_SECONDS = 0.05
IDLE_POLL_SECONDS = 0.25
BUSY_SECONDS = 10.0
# However short of CPU a process is, this many of its workers may run jobs at once (as many as
# gunicorn's threads would in the usual pattern: the queue never does worse than it).
LEAST_RUNNING = 4
# However little its jobs wait on Webex, this many may run at once (``_Pace._fit``).
LEAST_FOR_CPU = 2


class _Pace:
    """How many jobs a process runs at once: all its workers while acknowledgements are quick,
    fewer while they are slow, so that the webhook does not wait for the workers; and never more
    than the work needs when Webex answers within milliseconds (``_fit``).

    The webhook's threads and the workers share one interpreter lock and the machine's cores. When
    more events arrive than the workers can answer, every worker is busy, and each step of an
    acknowledgement (read the request, write the journal, answer) queues behind them: its tail
    grew from milliseconds to seconds. So the webhook says how long each acknowledgement took
    (``Jobs.acknowledged``). Once a ``WINDOW_SECONDS``, their mean is set against the quickest
    acknowledgement of the last ``FLOOR_WINDOWS`` windows (what the disk and the store cost when
    nothing waits): ``SLOW_SECONDS`` more, and a quarter fewer jobs may run (never fewer than
    ``least``); less than ``QUICK_SECONDS`` more (or no acknowledgement at all) while every allowed
    job is running, and one more may. Events not started yet wait in the durable queue: the
    acknowledgement stays quick, and the queue drains at full speed once the burst is over.
    """

    WINDOW_SECONDS = 0.1
    FIT_JOBS = 5
    QUICK_JOB_SECONDS = 0.02
    FLOOR_WINDOWS = 50
    SLOW_SECONDS = 0.003
    QUICK_SECONDS = 0.001

    def __init__(self, most: int, least: int, stop: threading.Event,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.most, self.least = most, min(least, most)
        self._clock = clock
        self.allowed = most
        self.useful = most  # how many jobs at once the work needs (``_fit``)
        self.running = 0
        self._jobs, self._job_seconds = 0, 0.0  # jobs ended in this window, and how long they took
        self._occupied, self._since = 0.0, clock()  # jobs running x seconds, in this window
        self._window_started = self._since
        self._stop = stop
        self._turn = threading.Condition()
        self._acks, self._total, self._quickest = 0, 0.0, float("inf")
        self._floors: deque[float] = deque(maxlen=self.FLOOR_WINDOWS)

    def take(self) -> bool:
        """Wait for a place to run a job; False when stopping."""
        with self._turn:
            while self.running >= self._limit() and not self._stop.is_set():
                self._turn.wait(0.5)
            if self._stop.is_set():
                return False
            self._occupy(+1)
            if self.running == 1:
                self._turn.notify_all()  # the pace thread may be sleeping
            return True

    def carry_on(self) -> bool:
        """A job ended: go on to the next one in the same place, unless fewer jobs may run now or
        the workers are stopping (the place is given back then). Handing the place to a waiting
        worker instead cost two thread switches per job, and those hand-overs were the busiest
        lock of the bot at 0 ms a Webex call."""
        with self._turn:
            if self.running <= self._limit() and not self._stop.is_set():
                return True
            self._occupy(-1)
            return False

    def give_back(self) -> None:
        """The queue was empty (or could not be read): the place goes, quietly. A worker woken for
        it would only find the queue empty too; an event queued later wakes one (``nudge``)."""
        with self._turn:
            self._occupy(-1)

    def nudge(self) -> None:
        """An event was queued: a worker waiting for a place takes one if one is free."""
        with self._turn:
            if self.running < self._limit():
                self._turn.notify()

    def wake_all(self) -> None:
        """Stopping: every worker waiting for a place hears it."""
        with self._turn:
            self._turn.notify_all()

    def _limit(self) -> int:
        return min(self.allowed, self.useful)

    def has_room(self) -> bool:
        """Whether one more job may run now (a glance, without the lock)."""
        return self.running < self._limit()

    def ran(self, seconds: float) -> None:
        """A job took ``seconds``, start to end (see ``_fit``)."""
        with self._turn:
            self._jobs += 1
            self._job_seconds += seconds

    def _occupy(self, change: int) -> None:
        """``running`` changes by ``change``; the time it stood at its old value is counted."""
        now = self._clock()
        self._occupied += self.running * (now - self._since)
        self._since = now
        self.running += change

    def acknowledged(self, seconds: float) -> None:
        with self._turn:
            self._acks += 1
            self._total += seconds
            self._quickest = min(self._quickest, seconds)
            if self._acks == 1:
                self._turn.notify_all()  # the pace thread may be sleeping

    def keep(self) -> None:
        """The pace thread: look once a window."""
        while not self._stop.wait(self.WINDOW_SECONDS):
            with self._turn:
                self._adjust()
                while not (self._acks or self.running or self.allowed < self.most or self._stop.is_set()):
                    self._turn.wait(1.0)  # nothing to pace: sleep until a job or an acknowledgement

    def _fit(self) -> None:
        """How many jobs at once the window's work needed: every worker while jobs wait on Webex
        for tens of milliseconds (``QUICK_JOB_SECONDS`` or more a job: real Webex, where one
        process's ten workers answer about 40 events a second at 80 ms a call); when jobs end
        within a few milliseconds (Webex on the same machine), twice the jobs that ran at once on
        average (Little's law, over the window) and one more, never fewer than ``LEAST_FOR_CPU``.
        More such jobs at once only take turns at the interpreter lock and stretch each other's
        answers: ten at once gave an answer p99 of 25 to 95 ms at 200 events a second with Webex
        answering at once, three gave 14 to 17 ms (the load bench). A window with fewer than
        ``FIT_JOBS`` ended jobs changes nothing: a quiet spell does not hold back the next burst."""
        self._occupy(0)
        now = self._since
        elapsed = now - self._window_started
        if self._jobs >= self.FIT_JOBS and elapsed > 0:
            if self._job_seconds / self._jobs >= self.QUICK_JOB_SECONDS:
                self.useful = self.most
            else:
                at_once = self._occupied / elapsed
                self.useful = max(min(LEAST_FOR_CPU, self.most), min(self.most, math.ceil(2 * at_once) + 1))
        self._jobs, self._job_seconds, self._occupied, self._window_started = 0, 0.0, 0.0, now

    def _adjust(self) -> None:
        self._fit()
        if self._acks:
            self._floors.append(self._quickest)
        mean = self._total / self._acks if self._acks else None
        floor = min(self._floors, default=0.0)
        self._acks, self._total, self._quickest = 0, 0.0, float("inf")
        if mean is not None and mean > floor + self.SLOW_SECONDS:
            self.allowed = max(self.least, self.allowed - max(1, self.allowed // 4))
        elif (mean is None or mean < floor + self.QUICK_SECONDS) and self.running >= self.allowed and self.allowed < self.most:
            self.allowed += 1
            self._turn.notify()


def lower_priority(nice: int) -> None:
    """Lower the calling thread's CPU priority by ``nice`` (Linux only, where each thread has its
    own nice value; threads it starts inherit it, such as the handler's lookups).

    When the CPU is short (Webex answering within milliseconds, so that every job is CPU work, and
    more events than the cores can answer), the kernel then runs the webhook's threads before the
    workers. On the load bench at 0 ms a call and 400 deliveries a second, the acknowledgement's
    p99 was 27-37 ms at nice 0 and 19-23 ms at 3 and at 10; but at 10 the workers lost the CPU to
    everything else too, the sandbox included, and at 200/s numbot's answer p99 was no better than
    the usual pattern's (27-31 ms against 27-39), where at 3 it answered sooner in 7 runs of 8 (at
    400/s 2.0-2.6 s against 2.5-3.1 s, with more replies per second). While jobs wait on Webex the
    CPU is not short, and this changes nothing. Elsewhere a thread id is not something
    ``setpriority`` accepts, so nothing is changed."""
    if nice <= 0 or not sys.platform.startswith("linux"):
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
    except OSError:  # not allowed here (a sandboxed runtime): the workers keep the webhook's priority
        log.debug("could not lower the workers' priority", exc_info=True)


class _Workers:
    """Threads that take jobs from the queue and run them; idle ones wait to be woken."""

    def __init__(self, store: Store, count: int, nice: int = 0) -> None:
        self.store = store
        self.count = count
        self.nice = nice
        self._stop = threading.Event()
        self.pace = _Pace(count, LEAST_RUNNING, self._stop)
        self._wake = threading.Condition()
        self._signals = 0  # events queued here that no sleeping worker has been woken for yet
        self._busy_at = time.monotonic()  # when this process last had work
        self._blocking = bool(getattr(store.huey.storage, "blocking", False))  # Redis: BRPOP waits for us
        self._threads = [threading.Thread(target=self._work, name=f"numbot-worker-{n}", daemon=True)
                         for n in range(count)]
        if not self._blocking:
            self._threads.append(threading.Thread(target=self._watch, name="numbot-queue-watch", daemon=True))
        self._threads.append(threading.Thread(target=self.pace.keep, name="numbot-pace", daemon=True))

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def wake(self, events: int = 1) -> None:
        with self._wake:
            self._busy_at = time.monotonic()
            self._signals = min(self.count, self._signals + events)
            if self.pace.has_room():
                self._wake.notify(events)
            # else every place is taken: a running worker goes on to the event when its job ends
            # (``_Pace.carry_on``), and a sleeper woken now would only wait for a place (two
            # thread switches per event); the watcher looks at the queue meanwhile all the same.
        self.pace.nudge()

    def stop(self, graceful: bool) -> None:
        self._stop.set()
        with self._wake:
            self._wake.notify_all()
        self.pace.wake_all()
        if graceful:  # let running jobs finish, as huey's consumer does
            for thread in self._threads:
                thread.join()

    def _sleep(self) -> None:
        with self._wake:
            if self._signals == 0 and not self._stop.is_set():
                self._wake.wait(5.0)  # a submit or the watcher wakes us as soon as there is work
            if self._signals:
                self._signals -= 1

    def _watch(self) -> None:
        """SQLite: wake sleeping workers when another process queued something."""
        storage = self.store.huey.storage
        while not self._stop.wait(POLL_SECONDS if time.monotonic() - self._busy_at < BUSY_SECONDS
                                  else IDLE_POLL_SECONDS):
            try:
                if storage.has_jobs():
                    with self._wake:
                        self._busy_at = time.monotonic()
                        self._wake.notify_all()
                    self.pace.nudge()
            except Exception:  # the store may be briefly unreachable; look again next round
                log.debug("looking at the queue failed", exc_info=True)

    def _work(self) -> None:
        lower_priority(self.nice)
        huey = self.store.huey
        while self.pace.take():
            while self._run_one(huey) and self.pace.carry_on():
                pass

    def _run_one(self, huey: "Huey") -> bool:
        """Run the next queued job in the place this worker holds: True when one ran (the place is
        still held), False when the queue was empty or could not be read (the place was given back)."""
        try:
            data = huey.storage.dequeue()
        except Exception:
            self.pace.give_back()
            log.exception("reading the queue failed")
            self._stop.wait(1.0)
            return False
        if data is None:
            self.pace.give_back()
            if not self._blocking:
                self._sleep()
            return False
        self._busy_at = started = time.monotonic()
        try:
            huey.deserialize_task(data).execute()
        except Exception:  # the handler logs its own failures; this is a bug around it
            log.exception("a queued job failed")
        self.pace.ran(time.monotonic() - started)
        return True


class Jobs:
    def __init__(
        self,
        store: Store,
        handler: Callable[[dict], None],
        recover_after: float = 300.0,
        sweep_every: float = 5.0,
    ) -> None:
        self.store = store
        self.recover_after = recover_after
        self.sweep_every = sweep_every
        # retries=0: Webex retries (429/5xx) happen inside the client; a job
        # that still fails has already told the admin with an error card.
        self._task = store.huey.task(name=TASK_NAME, retries=0)(handler)
        self._workers: Optional[_Workers] = None
        self._stop = threading.Event()
        self._sweeper: Optional[threading.Thread] = None

    def _job(self, event: dict) -> bytes:
        return self.store.huey.serialize_task(self._task.s(event))

    def submit(self, event: dict, key: str) -> None:
        """Journal (under the event's dedupe ``key``) and queue, in one go: once this returns, the
        event will be handled. A re-delivery of an event still queued or being handled is not
        queued twice."""
        self.store.journal_and_queue(key, event, self._job(event), queued=self._wake_one)

    def _wake_one(self) -> None:
        if self._workers is not None:
            self._workers.wake()

    def acknowledged(self, seconds: float) -> None:
        """The webhook took ``seconds`` to store an event and answer: the workers' pace follows."""
        if self._workers is not None:
            self._workers.pace.acknowledged(seconds)

    def pending(self) -> int:
        return self.store.huey.pending_count()

    def recover(self) -> int:
        """Re-queue journalled events that a dead worker left behind; how many."""
        entries = self.store.inflight()
        if not entries:
            return 0
        keys = [entry.key for entry in entries]
        claims, leases = self.store.markers("claim", keys), self.store.markers("lease", keys)
        now = time.time()
        requeued = 0
        for entry in entries:
            claim_expiry, lease_expiry = expiry_of(claims.get(entry.key)), expiry_of(leases.get(entry.key))
            if claim_expiry is not None and claim_expiry > now:
                self.store.drop_inflight(entry.key)  # handled; the journal entry outlived its worker
                continue
            if lease_expiry is not None and lease_expiry > now:
                continue  # a worker is on it and renewing its lease
            started_and_died = lease_expiry is not None and lease_expiry > entry.queued_at
            never_started = lease_expiry is None and now - entry.queued_at >= self.recover_after
            if started_and_died or never_started:
                self.store.journal_and_queue(entry.key, entry.event, self._job(entry.event), again=True)
                requeued += 1
        if requeued:
            log.warning("re-queued %d event(s) left unfinished by a stopped worker", requeued)
            if self._workers is not None:
                self._workers.wake(requeued)
        return requeued

    def _sweep(self) -> None:
        while True:
            try:
                self.recover()
            except Exception:  # the store may be briefly unreachable; try again next round
                log.exception("recovering unfinished events failed")
            if self._stop.wait(self.sweep_every):
                return

    def start_workers(self, workers: int, nice: int = 0) -> None:
        """``nice``: how much lower the workers' CPU priority is than the rest of the process's
        (``lower_priority``)."""
        if self._workers is not None:
            return
        self._workers = _Workers(self.store, workers, nice)
        self._workers.start()
        self._stop.clear()
        self._sweeper = threading.Thread(target=self._sweep, name="numbot-recover", daemon=True)
        self._sweeper.start()
        log.info("started %d queue workers", workers)

    def stop_workers(self, graceful: bool = True) -> None:
        self._stop.set()
        if self._sweeper is not None:
            self._sweeper.join(timeout=5)
            self._sweeper = None
        if self._workers is not None:
            self._workers.stop(graceful=graceful)
            self._workers = None
