"""Where numbot's CPU goes, event by event: ``./run bench load --cpu-split``.

The load bench measures each web process's CPU as a whole (``/proc``). To say which part of an
event costs what (the Webex calls, the flow and its card, the store's writes, gunicorn), the bench
starts numbot's processes with this module as a gunicorn config file
(``GUNICORN_CMD_ARGS=--config=python:bench.cpusplit``). After the fork it wraps the functions an
event goes through (``PARTS``) and counts, per part, the CPU time of the thread inside them
(``time.thread_time``), without what they call that is a part of its own: the parts add up to at
most the process's CPU, and what is left is the threads outside them (gunicorn's accept loop, the
checkpoint thread, waits for the interpreter lock). Every ``DUMP_SECONDS`` the totals go to
``$BENCH_CPU_SPLIT_DIR/<pid>.json``; the bench reads them before and after each rate.

A measurement aid, not part of the bot: a wrapper costs about a microsecond a call, a few parts
of a thousand of an event's CPU. Used for bench/README.md's "where the CPU goes".
"""
from __future__ import annotations

import functools
import importlib
import json
import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

DIR_VARIABLE = "BENCH_CPU_SPLIT_DIR"
DUMP_SECONDS = 0.2

# (module, class, function) -> part: what an event goes through, in the order it does.
PARTS: dict[tuple[str, str, str], str] = {
    ("gunicorn.workers.gthread", "ThreadWorker", "handle"): "gunicorn",
    ("flask", "Flask", "wsgi_app"): "webhook view",
    ("bot.queue.eventqueue", "EventQueue", "put"): "store: queue the event",
    ("bot.queue.jobs", "_Workers", "_run_one"): "worker",
    ("bot.queue.eventqueue", "EventQueue", "has_ready"): "store: look at the queue",
    ("bot.queue.eventqueue", "EventQueue", "take"): "store: take the event (and its lease)",
    ("bot.conversation.events", "EventHandler", "__call__"): "handler",
    ("bot.conversation.events", "EventHandler", "_read"): "read the event",
    ("bot.conversation.events", "EventHandler", "_answer"): "flow + card",
    ("bot.webex.client", "WebexClient", "_request"): "Webex calls",
    ("bot.queue.store", "Store", "claim"): "store: press claim, reply mark",
    ("bot.queue.eventqueue", "EventQueue", "finish"): "store: finish",
    ("logging", "Logger", "handle"): "logging",
}


class Split:
    """CPU seconds per part, each part's own (exclusive of the parts it calls)."""

    def __init__(self, clock: Callable[[], float] = time.thread_time) -> None:
        self._clock = clock
        self.seconds: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._local = threading.local()

    def wrap(self, function: Callable[..., Any], part: str) -> Callable[..., Any]:
        @functools.wraps(function)
        def counted(*args: Any, **kwargs: Any) -> Any:
            inner = getattr(self._local, "inner", None)
            if inner is None:
                inner = self._local.inner = []
            inner.append(0.0)  # CPU of the wrapped parts this one calls
            started = self._clock()
            try:
                return function(*args, **kwargs)
            finally:
                spent = self._clock() - started
                own = spent - inner.pop()
                if inner:
                    inner[-1] += spent
                with self._lock:
                    self.seconds[part] += own
                    self.calls[part] += 1

        return counted

    def install(self, parts: dict[tuple[str, str, str], str] = PARTS) -> None:
        for (module, owner, name), part in parts.items():
            cls = getattr(importlib.import_module(module), owner)
            setattr(cls, name, self.wrap(getattr(cls, name), part))

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"seconds": dict(self.seconds), "calls": dict(self.calls)}


def _dump_forever(split: Split, path: Path) -> None:
    while True:
        time.sleep(DUMP_SECONDS)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(split.snapshot()))
        temporary.replace(path)  # a reader never sees half a file


def post_fork(server: Any, worker: Any) -> None:
    """gunicorn's hook, in each web process after the fork."""
    directory = Path(os.environ[DIR_VARIABLE])
    directory.mkdir(parents=True, exist_ok=True)
    split = Split()
    split.install()
    threading.Thread(target=_dump_forever, args=(split, directory / f"{os.getpid()}.json"),
                     name="bench-cpu-split", daemon=True).start()


def gunicorn_env(directory: Path) -> dict[str, str]:
    """What numbot's processes need in their environment for the bench to read their split."""
    return {"GUNICORN_CMD_ARGS": f"--config=python:{__name__}", DIR_VARIABLE: str(directory)}


def read(directory: Path) -> Counter[str]:
    """Every process's CPU seconds per part, added up (the files written so far)."""
    total: Counter[str] = Counter()
    for path in directory.glob("*.json"):
        try:
            total.update(json.loads(path.read_text())["seconds"])
        except (OSError, ValueError, KeyError):  # replaced while read: the next dump has it
            continue
    return total


def per_event(before: Counter[str], after: Counter[str], events: int, process_cpu: float) -> dict[str, float]:
    """Microseconds of CPU per event in each part between two reads, slowest first, with "other"
    for the process CPU (``process_cpu`` seconds over the same time) no part accounts for."""
    spent = {part: after[part] - before.get(part, 0.0) for part in after}
    split = {part: seconds / max(1, events) * 1e6 for part, seconds in spent.items() if seconds > 0}
    ordered = dict(sorted(split.items(), key=lambda item: item[1], reverse=True))
    ordered["other"] = max(0.0, process_cpu / max(1, events) * 1e6 - sum(split.values()))
    return ordered


def line(split: dict[str, float]) -> str:
    return "CPU per event, µs: " + ", ".join(f"{part} {micros:.0f}" for part, micros in split.items())
