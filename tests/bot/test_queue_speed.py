"""The queue's speed rules, with a real SQLite store and no Webex: an idle worker starts an event
as soon as it is queued, also one queued by another process; a re-delivery of an event still in
flight is not queued twice; fewer jobs run while acknowledgements are slow, all again once they
are quick."""
from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.queue.eventqueue import HANDLED, PENDING, QUEUED, EventQueue
from bot.queue.jobs import Jobs, _Pace
from bot.queue.store import Store, make_huey


def store_at(path: Path) -> EventQueue:
    return EventQueue(Store(make_huey(f"sqlite:///{path}")), 20)


def test_an_idle_worker_starts_a_queued_event_at_once(tmp_path: Path) -> None:
    started: list[float] = []
    jobs = Jobs(store_at(tmp_path / "q.db"), lambda event, attempt: started.append(time.monotonic()) or True)
    jobs.start_workers(2)
    try:
        time.sleep(0.3)  # the workers found nothing and sleep
        queued = time.monotonic()
        jobs.submit({"n": 1}, "messages:A")
        deadline = time.monotonic() + 5
        while not started and time.monotonic() < deadline:
            time.sleep(0.001)
        assert started and started[0] - queued < 0.03
    finally:
        jobs.stop_workers()


def test_an_event_another_process_queued_is_started_within_the_poll(tmp_path: Path) -> None:
    started = threading.Event()
    web_only = Jobs(store_at(tmp_path / "q.db"), lambda event, attempt: True)  # acknowledges, runs nothing
    workers = Jobs(store_at(tmp_path / "q.db"), lambda event, attempt: started.set() or True)
    workers.start_workers(2)
    try:
        time.sleep(0.3)
        queued = time.monotonic()
        web_only.submit({"n": 1}, "messages:A")
        assert started.wait(5) and time.monotonic() - queued < 0.5
    finally:
        workers.stop_workers()


def test_a_redelivery_of_an_event_in_flight_is_not_queued_again(tmp_path: Path) -> None:
    queue = store_at(tmp_path / "q.db")
    jobs = Jobs(queue, lambda event, attempt: True)
    event = {"resource": "messages", "data": {"id": "A"}}
    assert jobs.submit(event, "messages:A") == QUEUED
    assert jobs.submit(event, "messages:A") == PENDING  # Webex delivered it again
    assert jobs.submit({**event, "actorId": "someone else"}, "messages:A") == PENDING  # another copy, same key
    assert jobs.pending() == 1
    taken = queue.take()
    assert taken is not None and taken.event == {**event, "actorId": "someone else"}  # the newest copy is read


def test_a_handled_event_delivered_again_is_not_queued(tmp_path: Path) -> None:
    queue = store_at(tmp_path / "q.db")
    jobs = Jobs(queue, lambda event, attempt: True)
    event = {"resource": "messages", "data": {"id": "A"}}
    jobs.submit(event, "messages:A")
    taken = queue.take()
    assert taken is not None
    queue.finish(taken)
    assert jobs.submit(event, "messages:A") == HANDLED
    assert jobs.pending() == 0 and jobs.unfinished() == 0


def test_fewer_jobs_run_while_acknowledgements_are_slow_and_all_again_once_they_are_quick() -> None:
    pace = _Pace(most=10, least=4, stop=threading.Event())
    for _ in range(10):
        assert pace.take()

    def window(seconds: float) -> None:
        for _ in range(5):
            pace.acknowledged(seconds)
        with pace._turn:
            pace._adjust()

    window(0.001)
    assert pace.allowed == 10
    for _ in range(5):
        window(0.001 + 2 * pace.SLOW_SECONDS)
    assert pace.allowed == 4  # never fewer than the least
    for _ in range(10):
        pace.give_back()
    for _ in range(4):
        assert pace.take()
    for _ in range(6):
        window(0.001)
        if pace.allowed > pace.running:
            assert pace.take()
    assert pace.allowed == 10


def test_a_worker_keeps_its_place_from_job_to_job_until_fewer_may_run() -> None:
    """No hand-over of the place to a waiting worker after every job (two thread switches each):
    the worker goes on, and gives the place back only when the pace lets fewer jobs run or the
    workers stop."""
    stop = threading.Event()
    pace = _Pace(most=4, least=2, stop=stop)
    for _ in range(4):
        assert pace.take()
    assert pace.carry_on() and pace.running == 4
    pace.allowed = 2
    assert not pace.carry_on() and pace.running == 3
    assert not pace.carry_on() and pace.running == 2
    assert pace.carry_on() and pace.running == 2
    stop.set()
    assert not pace.carry_on() and pace.running == 1


def test_jobs_that_end_within_milliseconds_run_as_few_at_once_as_the_work_needs() -> None:
    """Jobs that wait on Webex for tens of milliseconds may all run at once; jobs that end within a
    few (Webex on the same machine) would only take turns at the interpreter lock: twice as many
    as ran at once on average, and one more."""
    clock = [1000.0]
    pace = _Pace(most=10, least=4, stop=threading.Event(), clock=lambda: clock[0])

    def window(seconds_each: float, jobs: int = 10, at_once: int = 1) -> None:
        for _ in range(at_once):
            assert pace.take()
        clock[0] += 0.1
        for _ in range(jobs):
            pace.ran(seconds_each)
        for _ in range(at_once):
            pace.give_back()
        with pace._turn:
            pace._adjust()

    window(0.250)
    assert pace.useful == 10  # 80 ms a call: every worker
    window(0.005)
    assert pace.useful == 3  # one at a time on average: three places
    assert [pace.take() for _ in range(3)] == [True] * 3 and not pace.has_room()
    for _ in range(3):
        pace.give_back()
    window(0.005, jobs=2)  # too few jobs to tell: a quiet spell keeps what the last window said
    assert pace.useful == 3
    window(0.005, at_once=3)  # a burst keeps every place busy: room for more
    assert pace.useful == 7
    window(0.070)  # Webex slowed down: every worker again
    assert pace.useful == 10


def test_places_fitted_to_quick_jobs_grow_back_when_jobs_slow_down_to_fewer_than_a_window_can_count() -> None:
    """After a spell of quick jobs only a few places are left; once Webex slows down, those few
    places end fewer jobs a window than it takes to fit, but being busy all the window long says
    the same: every worker may run again."""
    clock = [1000.0]
    pace = _Pace(most=10, least=4, stop=threading.Event(), clock=lambda: clock[0])
    for _ in range(3):
        assert pace.take()
    clock[0] += 0.1
    for _ in range(10):
        pace.ran(0.005)
    with pace._turn:
        pace._adjust()
    assert pace.useful == 7  # three busy places of quick jobs: 2 x 3 + 1
    pace.give_back()
    pace.give_back()
    pace.give_back()
    with pace._turn:
        pace._adjust()  # an idle window changes nothing
    for _ in range(7):
        assert pace.take()
    clock[0] += 0.1
    pace.ran(0.240)  # 80 ms a call: one job of the seven places ended in the window
    with pace._turn:
        pace._adjust()
    assert pace.useful == 10


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's")
def test_jobs_run_at_a_lower_cpu_priority_than_the_webhook(tmp_path: Path) -> None:
    """When the CPU is short the kernel runs the acknowledgement first (``bot.queue.jobs.lower_priority``)."""
    seen: list[int] = []
    done = threading.Event()

    def handler(event: dict, attempt: int) -> bool:
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        done.set()
        return True

    jobs = Jobs(store_at(tmp_path / "q.db"), handler)
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    jobs.start_workers(2, nice=5)
    try:
        jobs.submit({"n": 1}, "messages:A")
        assert done.wait(5)
        assert seen == [min(19, mine + 5)]
        assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == mine  # the caller's own stays
    finally:
        jobs.stop_workers()
