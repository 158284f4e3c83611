"""The workers between the webhook and Webex.

``POST /webhook`` only stores the event (``bot.queue.eventqueue``) and answers; workers take events
from that queue and do the Webex calls. An event stays in the queue until its worker has
finished it, under a lease the process keeps alive (``bot.queue.leases``), so an acknowledged event
survives the death of any process: its lease lapses, and the next worker takes it.

The workers are threads of the web process (or of ``python -m bot worker``).
Their Webex calls wait on the network, not the CPU: each event spends most
of its time in about three round trips to Webex, so a process runs many
workers (``NUMBOT_WORKERS``) whatever its core count. A worker that finds the
queue empty sleeps until an event is queued: in the same process
``Jobs.submit`` wakes it directly; an event queued by another process, or one
whose lease lapsed, is seen within ``POLL_SECONDS``.

A process that stops (SIGTERM, as every deploy sends gunicorn) lets its running events finish for
``NUMBOT_DRAIN_SECONDS``, then hands back the ones still running, ready at once for the next
process (``Jobs.stop_workers``).
"""
from __future__ import annotations

import logging
import math
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Optional

from bot.core import faults
from bot.queue.eventqueue import EventQueue, Taken, adopt_legacy
from bot.queue.leases import LeaseKeeper, lease_lost
from bot.queue.store import StoreUnavailable

log = logging.getLogger(__name__)

# How soon idle workers notice an event another process queued (or one whose lease lapsed): within POLL_SECONDS
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
        ``FIT_JOBS`` ended jobs changes nothing: a quiet spell does not hold back the next burst;
        unless every place was busy all the window long, which quick jobs would not leave with so
        few ended: Webex slowed down, and every worker may run again. (Without that, a few places
        fitted to quick jobs stayed few once Webex slowed to 80 ms a call: 3 places of 240 ms jobs
        end about one a window, so the window never had enough jobs to fit again, and the load
        bench's 80 ms run after its 0 ms run answered 16 events a second instead of 79.)"""
        self._occupy(0)
        now = self._since
        elapsed = now - self._window_started
        at_once = self._occupied / elapsed if elapsed > 0 else 0.0
        if self._jobs >= self.FIT_JOBS and elapsed > 0:
            if self._job_seconds / self._jobs >= self.QUICK_JOB_SECONDS:
                self.useful = self.most
            else:
                self.useful = max(min(LEAST_FOR_CPU, self.most), min(self.most, math.ceil(2 * at_once) + 1))
        elif elapsed > 0 and self.useful < self.most and at_once >= self.useful - 0.01:
            self.useful = self.most
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
        elif ((mean is None or mean < floor + self.QUICK_SECONDS)
              and self.running >= self.allowed and self.allowed < self.most):
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


# What a worker's handler says when it is done with an event: whether it counts as answered (its
# claim is written, and later deliveries of it are dropped). Anything it raises is a bug around it.
Handler = Callable[[dict, int], bool]


class _Workers:
    """Threads that take events from the queue and run them; idle ones wait to be woken."""

    # How long a worker keeps trying to finish an event while the store is down before it leaves
    # the event to its lease (it is then taken again, and the reply looked for first).
    FINISH_PATIENCE_SECONDS = 60.0

    def __init__(self, queue: EventQueue, leases: LeaseKeeper, handler: Handler, count: int, nice: int = 0) -> None:
        self.queue = queue
        self.leases = leases
        self.handler = handler
        self.count = count
        self.nice = nice
        self._stop = threading.Event()
        self.pace = _Pace(count, LEAST_RUNNING, self._stop)
        self._wake = threading.Condition()
        self._signals = 0  # events queued here that no sleeping worker has been woken for yet
        self._busy_at = time.monotonic()  # when this process last had work
        self._threads = [threading.Thread(target=self._work, name=f"numbot-worker-{n}", daemon=True)
                         for n in range(count)]
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

    def stop(self, drain_seconds: float) -> int:
        """Take no more events; let running ones finish for up to ``drain_seconds``, then hand
        back those still running (``LeaseKeeper.hand_back_all``); how many were handed back."""
        self._stop.set()
        with self._wake:
            self._wake.notify_all()
        self.pace.wake_all()
        deadline = time.monotonic() + drain_seconds
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        return self.leases.hand_back_all()

    def alive(self) -> int:
        """How many worker threads are running (all of them, unless a bug killed one)."""
        return sum(1 for thread in self._threads[: self.count] if thread.is_alive())

    def _sleep(self) -> None:
        with self._wake:
            if self._signals == 0 and not self._stop.is_set():
                self._wake.wait(5.0)  # a submit or the watcher wakes us as soon as there is work
            if self._signals:
                self._signals -= 1

    def _watch(self) -> None:
        """Wake sleeping workers when an event is ready that this process's webhook did not queue:
        another process's, or one whose lease lapsed."""
        while not self._stop.wait(POLL_SECONDS if time.monotonic() - self._busy_at < BUSY_SECONDS
                                  else IDLE_POLL_SECONDS):
            try:
                if self.queue.has_ready():
                    with self._wake:
                        self._busy_at = time.monotonic()
                        self._wake.notify_all()
                    self.pace.nudge()
            except Exception:  # the store may be briefly unreachable; look again next round
                log.debug("looking at the queue failed", exc_info=True)

    def _work(self) -> None:
        lower_priority(self.nice)
        while self.pace.take():
            while self._run_one() and self.pace.carry_on():
                pass

    def _run_one(self) -> bool:
        """Run the next ready event in the place this worker holds: True when one ran (the place is
        still held), False when none was ready or the queue could not be read (the place was given back)."""
        try:
            taken = None if self._stop.is_set() else self.queue.take()
        except Exception as error:
            self.pace.give_back()
            log.warning("reading the queue failed (%s); trying again", type(error).__name__)
            self._stop.wait(1.0)
            return False
        if taken is None:
            self.pace.give_back()
            self._sleep()
            return False
        self._busy_at = started = time.monotonic()
        lost = lease_lost.set(self.leases.hold(taken))
        faults.point("taken")
        try:
            answered = self.handler(taken.event, taken.attempt)
        except StoreUnavailable:
            self._leave(taken)  # the store went away mid-event: a later attempt answers it
        except Exception:  # the handler logs its own failures; this is a bug around it
            log.exception("a queued job failed")
            self._finish(taken, True)
        else:
            self._finish(taken, answered)
        finally:
            lease_lost.reset(lost)
        self.pace.ran(time.monotonic() - started)
        return True

    def _leave(self, taken: Taken) -> None:
        """Hand an event back unanswered (ready at once), or leave it to its lease if the store
        cannot be told."""
        if self.leases.let_go(taken):
            try:
                self.queue.release(taken)
            except Exception:
                log.warning("could not hand back %s; it is taken again once its lease lapses", taken.key)
        # An attempt that starts at once would meet the same outage: wait a moment.
        self._stop.wait(1.0)

    def _finish(self, taken: Taken, answered: bool) -> None:
        """Claim the event and remove it from the queue, trying again while the store is down. An
        event whose lease this process no longer holds (lost at a renewal, or handed back by a
        stop) is left to whoever takes it next."""
        faults.point("finishing")
        if not self.leases.let_go(taken):
            log.warning("not finishing %s: its lease is no longer ours", taken.key)
            return
        deadline, pause = time.monotonic() + self.FINISH_PATIENCE_SECONDS, 0.25
        while True:
            try:
                self.queue.finish(taken, claim=answered)
                return
            except Exception as error:
                if time.monotonic() > deadline or self._stop.is_set():
                    log.error("could not finish %s (%s); it is taken again once its lease lapses",
                              taken.key, type(error).__name__)
                    return
                log.warning("finishing %s failed (%s); trying again", taken.key, type(error).__name__)
                time.sleep(pause)
                pause = min(2.0, pause * 2)


class Jobs:
    """The queue and this process's workers, as the web app and the CLI see them."""

    ADOPT_SECONDS = 600.0  # how often a process looks for events an older version left (``adopt_legacy``)

    def __init__(self, queue: EventQueue, handler: Handler, drain_seconds: float = 10.0) -> None:
        self.queue = queue
        self.store = queue.store
        self.handler = handler
        self.leases = LeaseKeeper(queue)
        self.drain_seconds = drain_seconds
        self._workers: Optional[_Workers] = None
        self._stop = threading.Event()
        self._adopter: Optional[threading.Thread] = None

    def submit(self, event: dict, key: str) -> str:
        """Store an acknowledged event under its dedupe ``key`` (``EventQueue.put``): once this
        returns, the event will be answered. A re-delivery of an event still queued, being handled
        or answered already is not queued again (``PENDING``, ``HANDLED``)."""
        return self.queue.put(key, event, queued=self._wake_one)

    def _wake_one(self) -> None:
        if self._workers is not None:
            self._workers.wake()

    def acknowledged(self, seconds: float) -> None:
        """The webhook took ``seconds`` to store an event and answer: the workers' pace follows."""
        if self._workers is not None:
            self._workers.pace.acknowledged(seconds)

    def pending(self) -> int:
        """Events waiting for a worker."""
        return self.queue.ready()

    def unfinished(self) -> int:
        """Events acknowledged and not finished: waiting, or with a worker."""
        return self.queue.unfinished()

    def workers(self) -> Optional[tuple[int, int]]:
        """(alive, started) worker threads of this process; None when it runs none (web only)."""
        return None if self._workers is None else (self._workers.alive(), self._workers.count)

    def _adopt(self) -> None:
        while True:
            try:
                moved = adopt_legacy(self.queue)
                if moved:
                    log.warning("took over %d event(s) an older version of numbot left unfinished", moved)
                    self._wake_one()
            except Exception:  # the store may be briefly unreachable; try again next round
                log.warning("looking for an older version's unfinished events failed", exc_info=True)
            if self._stop.wait(self.ADOPT_SECONDS):
                return

    def start_workers(self, workers: int, nice: int = 0) -> None:
        """``nice``: how much lower the workers' CPU priority is than the rest of the process's
        (``lower_priority``)."""
        if self._workers is not None:
            return
        self._workers = _Workers(self.queue, self.leases, self.handler, workers, nice)
        self._workers.start()
        self._stop.clear()
        self._adopter = threading.Thread(target=self._adopt, name="numbot-adopt", daemon=True)
        self._adopter.start()
        log.info("started %d queue workers", workers)

    def stop_workers(self, drain_seconds: Optional[float] = None) -> None:
        """Stop taking events; running ones get ``drain_seconds`` (``NUMBOT_DRAIN_SECONDS``) to
        finish, and the rest are handed back for the next process to take at once."""
        self._stop.set()
        workers, self._workers = self._workers, None
        if workers is not None:
            handed = workers.stop(self.drain_seconds if drain_seconds is None else drain_seconds)
            if handed:
                log.warning("stopping: handed back %d event(s) still being answered, for the next process", handed)
        if self._adopter is not None:
            self._adopter.join(timeout=5)
            self._adopter = None
