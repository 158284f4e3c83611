"""The load bench: numbot as deployed, many admins at once, next to the usual pattern.

``./run bench load`` (``python -m bench load``) starts the sandbox in its own process with a
latency per Webex call (``--latency``, 80 ms by default, like a real API round trip; ``0,0.08`` runs
both), then, for each
setup, the web processes exactly as the ``Procfile``'s ``web:`` line runs them (gunicorn, its
defaults for ``WEB_CONCURRENCY`` and ``NUMBOT_WEB_THREADS``):

- ``numbot``: numbot on its default SQLite store;
- ``usual``: ``bench/usual.py``, the whole job inside the webhook request (the Webex SDK's bot
  examples), under the same gunicorn command;
- ``numbot-redis``: two numbot instances sharing one Redis (``redis-server`` on loopback), the
  deliveries spread over both and each duplicate sent to the other instance.

Every setup is started (each with a sandbox of its own) before the first rate. Then, rate by rate,
each setup in turn is offered signed deliveries open-loop (on a schedule, the same for every setup,
never waiting for answers) for ``--duration`` seconds, longer at a low rate so that it offers at
least ``--least`` deliveries (``offer_seconds``): admins' messages and card presses
(``--card-share``), and a share of duplicate deliveries of events sent 0.1-2 s earlier
(``--dup-share``). Then it drains:
the bench waits until every event is answered (or ``--drain`` seconds pass). Everything runs on
127.0.0.1, bounded in count and time. A delivery not answered within ``--delivery-timeout`` seconds
(the sandbox's own delivery timeout) counts as timed out, as Webex would count it.

Figures per setup and rate: acknowledgement p50/p99/max; time to answer (the delivery sent to the
reply stored by the sandbox) p50/p99; events never answered and answered more than once; replies
per second; CPU milliseconds per event and peak memory per process (``/proc``, the web processes
only); the deepest queue. ``--repeat N`` runs it all N times: a row's percentiles are taken over
every event of its runs together, its rates and CPU are the runs' median, its counts their sum; a
ratio to the usual pattern is that of the two rows, with the range of each run's own ratio. The
table is printed and, for a full run, written to ``bench/README.md``.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import math
import os
import platform
import random
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Optional

import requests

from bench import cpusplit
from sandbox import seed

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "bench" / "README.md"
START, END = "<!-- load-bench:start -->", "<!-- load-bench:end -->"
SETUPS = ("numbot", "usual", "numbot-redis")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20
# Webex marks a webhook inactive after several failed deliveries in a row (the sandbox's
# webhook_failures_to_disable, after Cisco's dstaudt in CiscoDevNet/awesome-webex issue #85).
FAILURES_TO_DISABLE = 5


# -- processes -----------------------------------------------------------------------------------

def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def procfile_web_command() -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line[len("web:"):].strip()
    raise SystemExit("bench: the Procfile has no web: line")


def clean_env(**values: str) -> dict[str, str]:
    """This environment less any setting of the bot, plus ``values``; gunicorn from this venv."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WEBEX_", "NUMBOT_", "REDIS_", "WEB_CONCURRENCY"))}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.update(values)
    return env


def wait_until(check: Callable[[], bool], what: str, process: Optional[subprocess.Popen] = None,
               timeout: float = 60.0, log: Optional[Path] = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log else ""
            raise SystemExit(f"bench: {what} exited with {process.returncode}\n{tail}")
        try:
            if check():
                return
        except Exception:  # not up yet (connection refused, …)
            pass
        time.sleep(0.1)
    raise SystemExit(f"bench: {what} did not come up within {timeout:g}s")


def stop_process(process: subprocess.Popen, quick: bool = False) -> None:
    """SIGTERM (gunicorn: finish what is running), or SIGQUIT (gunicorn: stop now)."""
    if process.poll() is None:
        process.send_signal(signal.SIGQUIT if quick else signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def cpu_seconds(master: int) -> float:
    """CPU time of a gunicorn master, its live workers and the workers it reaped."""
    total = 0.0
    for pid in [master, *children(master)]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used = int(fields[11]) + int(fields[12])  # utime, stime
        if pid == master:
            used += int(fields[13]) + int(fields[14])  # cutime, cstime: reaped workers
        total += used / CLOCK_TICKS
    return total


def peak_mb(master: int) -> float:
    """The largest peak resident set (VmHWM) among a gunicorn master's processes, MB."""
    peak = 0.0
    for pid in [master, *children(master)]:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:
            continue
    return peak


@dataclass
class Web:
    """One instance: a gunicorn master serving on ``port``."""

    process: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_web(app: str, env: dict[str, str], log: Path) -> Web:
    """The Procfile's web line, with ``app`` in place of numbot's app when it is not numbot."""
    command = procfile_web_command()
    if app != "bot.app:create_app()":
        command = command.replace('"bot.app:create_app()"', shlex.quote(app))
    port = free_port()
    with open(log, "ab") as out:
        process = subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=ROOT, env={**env, "PORT": str(port)},
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    web = Web(process, port, log)
    try:
        wait_until(lambda: requests.get(web.url + "/healthz", timeout=2).status_code == 200, f"gunicorn ({app})",
                   process, log=log)
        # Every worker up (each answers /healthz once booted): wait for the Procfile's worker count.
        expected = int(env.get("WEB_CONCURRENCY", "2"))
        wait_until(lambda: len(children(process.pid)) >= expected, "gunicorn's workers", process, log=log)
    except BaseException:
        stop_process(process, quick=True)
        raise
    return web


class Host:
    """The sandbox process (``bench.loadhost`` under gunicorn: one process, a thread per call in flight)."""

    def __init__(self, latency: float, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = open(log, "ab")  # noqa: SIM115 -- the gunicorn child writes to it until stop() closes it
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{self.port}", "--workers", "1",
             "--threads", "512", "--worker-connections", "4000", "--keep-alive", "60", "--backlog", "4096",
             "bench.loadhost:create_app()"],
            cwd=ROOT, env={**os.environ, "BENCH_LATENCY": str(latency)}, stdin=subprocess.DEVNULL,
            stdout=self._log, stderr=subprocess.STDOUT)
        try:
            wait_until(lambda: requests.get(self.url + "/_bench/answers", timeout=2).ok, "the sandbox",
                       self.process, log=log)
        except BaseException:
            self.stop()
            raise
        self.session = requests.Session()

    @property
    def api_url(self) -> str:
        return self.url + "/v1"

    def set_latency(self, seconds: float) -> None:
        self.session.post(self.url + "/_bench/latency", json={"seconds": seconds}, timeout=10).raise_for_status()

    def events(self, count: int, card_share: float, target_url: str) -> list[dict[str, str]]:
        response = self.session.post(self.url + "/_bench/events", timeout=300,
                                     json={"count": count, "card_share": card_share, "target_url": target_url})
        response.raise_for_status()
        return response.json()

    def _status(self) -> dict[str, Any]:
        return self.session.get(self.url + "/_bench/answers", timeout=60).json()

    def answers(self) -> tuple[dict[str, list[float]], dict[str, int]]:
        body = self._status()
        return body["answers"], body["calls"]

    def calls(self) -> int:
        """Webex calls so far."""
        return sum(self._status()["calls"].values())

    def stop(self) -> None:
        stop_process(self.process, quick=True)
        self._log.close()


def start_redis(directory: Path) -> tuple[subprocess.Popen, str]:
    server_path = shutil.which("redis-server")
    assert server_path
    port = free_port()
    # Append-only with fsync every second: what the README asks of a Redis that must keep queued events.
    process = subprocess.Popen([server_path, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "yes", "--dir", str(directory)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    try:
        wait_until(lambda: bool(redis.Redis.from_url(url).ping()), "redis-server", process)
    except BaseException:
        stop_process(process)
        raise
    return process, url


def numbot_env(api_url: str, store_url: str, extra: dict[str, str]) -> dict[str, str]:
    """numbot's settings as its operator sets them for the seeded org (``sandbox.demo.operator_settings``),
    admins allowed by their email domain so that numbot and the usual pattern make the same calls."""
    from sandbox.demo import operator_settings

    settings = operator_settings(api_url, store_url)
    service = settings.service_app
    env = clean_env(
        WEBEX_BOT_TOKEN=settings.bot_token, WEBEX_WEBHOOK_SECRET=settings.webhook_secret or "",
        WEBEX_SERVICE_APP_CLIENT_ID=service.client_id or "",
        WEBEX_SERVICE_APP_CLIENT_SECRET=service.client_secret or "",
        WEBEX_SERVICE_APP_REFRESH_TOKEN=service.refresh_token or "", WEBEX_API_URL=settings.api_url,
        WEBEX_ORG_ID=settings.org_id or "", NUMBOT_STORE_URL=settings.store_url,
        NUMBOT_ALLOWED_DOMAINS=",".join(settings.allowed_domains), NUMBOT_REQUIRE_ADMIN="false",
        NUMBOT_LOG_LEVEL="INFO",
    )
    env.update(extra)
    return env


def usual_env(api_url: str, extra: dict[str, str]) -> dict[str, str]:
    env = clean_env(WEBEX_BOT_TOKEN=seed.BOT_TOKEN, WEBEX_WEBHOOK_SECRET=seed.WEBHOOK_SECRET,
                    WEBEX_SERVICE_APP_TOKEN=seed.SERVICE_APP_TOKEN, WEBEX_API_URL=api_url, WEBEX_ORG_ID=seed.ORG_ID)
    env.update({k: v for k, v in extra.items() if not k.startswith("NUMBOT_") or k == "NUMBOT_WEB_THREADS"})
    return env


# -- the load ------------------------------------------------------------------------------------

@dataclass
class Slot:
    """One delivery of the plan: when (seconds after the start), which event, to which instance."""

    at: float
    event: int
    target: int
    duplicate: bool = False


@dataclass
class Sent:
    slot: Slot
    sent: float = 0.0  # time.monotonic() when the connection was opened
    done: float = 0.0
    status: Optional[int] = None
    error: str = ""

    @property
    def ack(self) -> float:
        return self.done - self.sent

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def offer_seconds(rate: float, duration: float, least: int) -> float:
    """How long ``rate`` is offered: ``duration``, or long enough for ``least`` deliveries.

    A p99 of 200 answers (4 s at 50/s) is the second slowest of them: one hiccup of a shared VM
    decided it, and set numbot against the usual pattern by a factor of two either way from run
    to run at 0 ms a call. At 400 it is the fourth slowest."""
    return max(duration, least / rate) if rate > 0 else duration


def plan(rate: float, duration: float, dup_share: float, instances: int, rng: random.Random) -> tuple[list[Slot], int]:
    """Deliveries at ``rate`` per second for ``duration`` seconds; about ``dup_share`` of them are
    copies of an event first delivered 0.1-2 s earlier (to the other instance when there are two)."""
    slots: list[Slot] = []
    originals: list[Slot] = []
    copied: set[int] = set()
    events = 0
    for i in range(int(rate * duration)):
        at = i / rate
        if rng.random() < dup_share:
            recent = [s for s in originals[-int(rate * 2) - 1:] if 0.1 <= at - s.at <= 2.0 and s.event not in copied]
            if recent:
                first = rng.choice(recent)
                copied.add(first.event)
                slots.append(Slot(at, first.event, (first.target + 1) % instances, duplicate=True))
                continue
        slot = Slot(at, events, events % instances)
        events += 1
        originals.append(slot)
        slots.append(slot)
    return slots, events


class _Delivery(asyncio.Protocol):
    """One signed POST, as Webex sends it: a connection of its own, the answer's status line read
    as it arrives. A protocol rather than asyncio's streams: the generator shares the machine's
    two cores with the bot, and should take as little of them, and be as prompt, as it can."""

    def __init__(self, request: bytes, record: Sent, finished: asyncio.Future) -> None:
        self.request, self.record, self.finished = request, record, finished
        self.received = b""
        self.transport: Optional[asyncio.Transport] = None
        self.connecting: Optional[asyncio.Future] = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        if self.record.status is not None:
            return
        self.received += data
        if b"\r\n" in self.received:
            self.record.done = time.monotonic()
            try:
                self.record.status = int(self.received.split(b"\r\n", 1)[0].split()[1])
            except (IndexError, ValueError):
                self.record.error = "not an HTTP answer"
            assert self.transport is not None
            self.transport.close()

    def connection_lost(self, exc: Optional[Exception]) -> None:
        if self.record.status is None and not self.record.error:
            self.record.error = type(exc).__name__ if exc else "closed without an answer"
        if not self.finished.done():
            self.finished.set_result(None)

    def time_out(self) -> None:
        if self.record.status is not None:
            return
        self.record.error = "timed out"
        if self.transport is not None:
            self.transport.abort()
        elif self.connecting is not None:
            self.connecting.cancel()  # not even connected (the server's backlog is full)


async def _post(port: int, body: bytes, signature: str, record: Sent, timeout: float) -> None:
    request = (f"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\nX-Spark-Signature: {signature}\r\nUser-Agent: numbot-bench\r\n"
               f"Connection: close\r\n\r\n").encode("ascii") + body
    loop = asyncio.get_running_loop()
    finished = loop.create_future()
    delivery = _Delivery(request, record, finished)
    record.sent = time.monotonic()
    timer = loop.call_later(timeout, delivery.time_out)
    try:
        delivery.connecting = asyncio.ensure_future(loop.create_connection(lambda: delivery, "127.0.0.1", port))
        await delivery.connecting
        await finished
    except asyncio.CancelledError:
        if record.error != "timed out":  # not our time-out cancelling the connection: pass it on
            raise
    except OSError as error:  # refused, reset before the answer
        record.error = record.error or type(error).__name__
    finally:
        timer.cancel()
        if not record.done:
            record.done = time.monotonic()


async def _offer(slots: list[Slot], bodies: list[tuple[bytes, str]], ports: list[int],
                 timeout: float) -> tuple[list[Sent], float]:
    """Send every slot at its time, never waiting for answers; the records and the worst lateness."""
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    records = [Sent(slot) for slot in slots]
    tasks = []
    late = 0.0
    for record in records:
        delay = start + record.slot.at - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        late = max(late, loop.time() - (start + record.slot.at))
        body, signature = bodies[record.slot.event]
        tasks.append(asyncio.create_task(_post(ports[record.slot.target], body, signature, record, timeout)))
    await asyncio.gather(*tasks)
    return records, late


class QueueWatch:
    """The deepest queue numbot reported (``/readyz``'s ``pending_jobs``) while watched."""

    def __init__(self, url: Optional[str]) -> None:
        self.url, self.peak = url, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> QueueWatch:
        if self.url:
            self._thread.start()
        return self

    def _run(self) -> None:
        url = self.url
        assert url, "started only with a url (__enter__)"
        session = requests.Session()
        while not self._stop.wait(0.25):
            with suppress(requests.RequestException, ValueError, KeyError):
                self.peak = max(self.peak, int(session.get(url + "/readyz", timeout=5).json()["pending_jobs"]))

    def pending(self) -> Optional[int]:
        if not self.url:
            return None
        try:
            return int(requests.get(self.url + "/readyz", timeout=5).json()["pending_jobs"])
        except (requests.RequestException, ValueError, KeyError):
            return None

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)


def pct(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class Result:
    setup: str
    latency: float
    rate: float
    deliveries: int
    events: int
    ack_p50: float
    ack_p99: float
    ack_max: float
    timed_out: int
    failed: int
    answer_p50: float
    answer_p99: float
    never: int
    twice: int
    replies_per_s: float
    cpu_ms: float
    peak_mb: float
    queue_peak: Optional[int]
    late_ms: float
    round_trips_per_event: float
    webex_cpu_ms: float  # the sandbox's CPU per event: Webex's work, here on the same machine
    disabled_at: Optional[float] = None  # seconds into the run when Webex would have disabled the webhook
    lost_after_disable: int = 0
    answered_after_timeout: int = 0
    repeat: int = 0  # which of the ``--repeat`` runs
    cpu_split: Optional[dict[str, float]] = None  # ``--cpu-split``: µs of CPU per event in each part (printed only)
    # Every acknowledgement and every event's time to answer (seconds): the runs' rows pool them.
    acks: list[float] = field(default_factory=list, repr=False, compare=False)
    answers: list[float] = field(default_factory=list, repr=False, compare=False)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Keep Python's collector out of the load generator while it offers a rate.

    The generator holds every body and record of the run, and a full collection walks them all:
    timed with ``gc.callbacks`` during the offer, single collections took 16 and 80 ms, and the
    80 ms one put the generator 82 ms behind its schedule, which the table then showed as the
    bot's acknowledgement tail. That pause is the instrument's, not the bot's (loadhost freezes
    the sandbox's heap for the same reason), so the offer runs with the heap frozen and the
    collector off, and both come back once the rate is offered.
    """
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


def run_rate(setup: str, host: Host, webs: list[Web], latency: float, rate: float, args: argparse.Namespace,
             rng: random.Random, split_dir: Optional[Path] = None) -> Result:
    slots, count = plan(rate, offer_seconds(rate, args.duration, args.least), args.dup_share, len(webs), rng)
    made = host.events(count, args.card_share, webs[0].url + "/webhook")
    bodies = [(m["body"].encode("utf-8"), m["signature"]) for m in made]
    keys = [m["key"] for m in made]
    calls_before = host.calls()
    cpu_before = sum(cpu_seconds(w.process.pid) for w in webs)
    split_before = cpusplit.read(split_dir) if split_dir is not None else None
    webex_before = cpu_seconds(host.process.pid)
    watch_url = webs[0].url if setup.startswith("numbot") else None
    with QueueWatch(watch_url) as watch:
        with collector_paused():
            records, late = asyncio.run(_offer(slots, bodies, [w.port for w in webs], args.delivery_timeout))
        answers = drain(host, keys, watch, args)
        cpu = sum(cpu_seconds(w.process.pid) for w in webs) - cpu_before
        webex_cpu = cpu_seconds(host.process.pid) - webex_before
        if split_dir is not None:
            time.sleep(2 * cpusplit.DUMP_SECONDS)  # the processes' last figures on disk
    split_after = cpusplit.read(split_dir) if split_dir is not None else None
    calls_after = host.calls()
    first_sent: dict[int, float] = {}
    for record in records:
        first_sent[record.slot.event] = min(record.sent, first_sent.get(record.slot.event, record.sent))
    to_answer, never, twice, last = [], 0, 0, 0.0
    for index, key in enumerate(keys):
        times = sorted(answers.get(key, []))
        if not times:
            never += 1
            continue
        twice += len(times) > 1
        to_answer.append(times[0] - first_sent[index])
        last = max(last, times[0])
    start = min(r.sent for r in records)
    acks = [r.ack for r in records if r.ok]
    timed_out = sum(r.error == "timed out" for r in records)
    calls = calls_after - calls_before  # each waited for in turn: no setup makes two calls at once here
    result = Result(
        setup=setup, latency=latency, rate=rate, deliveries=len(records), events=count,
        ack_p50=pct(acks, 50), ack_p99=pct(acks, 99), ack_max=max(acks, default=float("nan")),
        timed_out=timed_out, failed=sum(not r.ok for r in records) - timed_out,
        answer_p50=pct(to_answer, 50), answer_p99=pct(to_answer, 99), never=never, twice=twice,
        replies_per_s=len(to_answer) / (last - start) if to_answer and last > start else 0.0,
        cpu_ms=cpu / max(1, count) * 1000, peak_mb=max(peak_mb(w.process.pid) for w in webs),
        queue_peak=watch.peak if watch_url else None, late_ms=late * 1000,
        round_trips_per_event=calls / max(1, count),
        webex_cpu_ms=webex_cpu / max(1, count) * 1000,
        cpu_split=(cpusplit.per_event(split_before, split_after, count, cpu)
                   if split_before is not None and split_after is not None else None),
        acks=acks, answers=to_answer,
    )
    webhook_fate(result, records, answers, keys)
    return result


def webhook_fate(result: Result, records: list[Sent], answers: dict[str, list[float]], keys: list[str]) -> None:
    """What Webex would make of failed deliveries: answered late anyway, and the webhook disabled
    after ``FAILURES_TO_DISABLE`` failures in a row (every later event then lost)."""
    start = min(r.sent for r in records)
    in_a_row = 0
    for record in sorted(records, key=lambda r: r.done):
        in_a_row = 0 if record.ok else in_a_row + 1
        if in_a_row == FAILURES_TO_DISABLE:
            result.disabled_at = record.done - start
            result.lost_after_disable = len({r.slot.event for r in records if r.sent > record.done})
            break
    failed_events = {r.slot.event for r in records if not r.ok}
    ok_events = {r.slot.event for r in records if r.ok}
    result.answered_after_timeout = sum(1 for e in failed_events - ok_events if answers.get(keys[e]))


def drain(host: Host, keys: list[str], watch: QueueWatch, args: argparse.Namespace) -> dict[str, list[float]]:
    """Wait until every event is answered (then a moment for late doubles), nothing moves for
    ``--stall`` seconds, or ``--drain`` seconds pass; the answers."""
    deadline = time.monotonic() + args.drain
    last_count, last_change = -1, time.monotonic()
    while True:
        answers, _ = host.answers()
        count = sum(1 for key in keys if answers.get(key))
        now = time.monotonic()
        if count != last_count:
            last_count, last_change = count, now
        if count == len(keys):
            time.sleep(args.grace)
            return host.answers()[0]
        pending = watch.pending()
        if now - last_change > args.stall and not pending:
            return answers
        if now > deadline:
            return answers
        time.sleep(0.25)


# -- setups --------------------------------------------------------------------------------------

@dataclass
class Running:
    """One setup, started and warmed up: its own sandbox and its web processes."""

    setup: str
    host: Host
    webs: list[Web]
    rng: random.Random  # the setup's own, so that every setup is offered the same schedules
    split_dir: Optional[Path] = None  # ``--cpu-split``: where its processes write their CPU split


def start_setup(setup: str, args: argparse.Namespace, tmp: Path, stack: ExitStack) -> Running:
    """Start ``setup`` (stopped when ``stack`` closes, whatever happens) and warm it up."""
    host = Host(args.latencies[0], tmp / f"{setup}-sandbox.log")
    stack.callback(host.stop)
    extra = dict(item.split("=", 1) for item in args.env)
    split_dir = tmp / f"cpu-split-{setup}" if args.cpu_split and setup.startswith("numbot") else None
    if split_dir is not None:
        extra.update(cpusplit.gunicorn_env(split_dir))
    webs: list[Web] = []

    def serve(app: str, env: dict[str, str], log: Path) -> None:
        web = start_web(app, env, log)
        stack.callback(stop_process, web.process)
        webs.append(web)

    if setup == "usual":
        serve("bench.usual:create_app()", usual_env(host.api_url, extra), tmp / "usual.log")
    elif setup == "numbot":
        serve("bot.app:create_app()", numbot_env(host.api_url, f"sqlite:///{tmp / 'numbot.db'}", extra),
              tmp / "numbot.log")
    else:
        redis_process, url = start_redis(tmp)
        stack.callback(stop_process, redis_process)
        for n in range(2):
            serve("bot.app:create_app()", numbot_env(host.api_url, url, extra), tmp / f"numbot-redis-{n}.log")
    warm_up(setup, host, webs, args)
    return Running(setup, host, webs, random.Random(12), split_dir)


def run_all(setups: list[str], args: argparse.Namespace, tmp: Path) -> list[Result]:
    """Every setup up at once, and each rate offered to one setup after the other.

    A setup and the usual pattern are then measured seconds apart at the same rate, with the same
    schedule of deliveries: a slow spell of a shared machine (a virtual machine's CPU varies by a
    third from minute to minute) falls on both or on neither, instead of on whichever setup ran in
    that minute. The setups waiting for their turn are idle (numbot's workers sleep); which goes
    first turns (``in_turn``)."""
    results = []
    with ExitStack() as stack:
        running = []
        for setup in setups:
            print(f"starting {setup}", flush=True)
            running.append(start_setup(setup, args, tmp, stack))
        for repeat in range(args.repeat):
            for latency in args.latencies:
                for each in running:
                    each.host.set_latency(latency)
                for turn, rate in enumerate(args.rates):
                    for each in in_turn(running, repeat + turn):
                        result = run_rate(each.setup, each.host, each.webs, latency, rate, args, each.rng,
                                          each.split_dir)
                        result.repeat = repeat
                        print_row(result)
                        results.append(result)
    return results


def in_turn(setups: list[Any], turn: int) -> list[Any]:
    """The setups in the order they take a rate: each turn starts one further along.

    Whichever setup goes first after the bench's pause between rates (the drain, the next rate's
    events made) meets the machine waking up: in one run numbot, always first, had an
    acknowledgement p99 of 37 ms and an answer p99 of 81 ms at 50/s and 0 ms where the usual
    pattern, seconds later, had 16 and 15. Rotated by rate and by repeat, each setup goes first
    once at every rate over as many repeats as there are setups, and first at a different rate
    in a single run."""
    if not setups:
        return []
    shift = turn % len(setups)
    return setups[shift:] + setups[:shift]


def warm_up(setup: str, host: Host, webs: list[Web], args: argparse.Namespace) -> None:
    """Events for every web process first (a few at once per instance, so that each gunicorn
    process gets some), so that no measured event pays for a process's first connection, its
    first look at who the bot is, or numbot's first service app token."""
    made = host.events(8 * len(webs), args.card_share, webs[0].url + "/webhook")

    def deliver(index: int, event: dict) -> None:
        requests.post(webs[index % len(webs)].url + "/webhook", data=event["body"].encode(), timeout=30,
                      headers={"Content-Type": "application/json", "X-Spark-Signature": event["signature"]})

    threads = [threading.Thread(target=deliver, args=(i, e)) for i, e in enumerate(made)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answers, _ = host.answers()
        if all(answers.get(e["key"]) for e in made):
            return
        time.sleep(0.1)
    print(f"bench: {setup} did not answer its warm-up events", file=sys.stderr)


# -- the report ------------------------------------------------------------------------------------

COLUMNS = ("setup", "Webex ms", "offered/s", "deliveries", "ack p50", "ack p99", "ack max", "timed out", "answer p50",
           "answer p99", "never answered", "answered twice", "replies/s", "CPU ms/event", "peak MB/process",
           "queue peak")


def ms(seconds: float) -> str:
    if seconds != seconds:  # nan
        return "-"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def row(r: Result) -> list[str]:
    return [r.setup, f"{r.latency * 1000:g}", f"{r.rate:g}", str(r.deliveries), ms(r.ack_p50), ms(r.ack_p99),
            ms(r.ack_max), str(r.timed_out), ms(r.answer_p50), ms(r.answer_p99), str(r.never), str(r.twice),
            f"{r.replies_per_s:.0f}", f"{r.cpu_ms:.1f}", f"{r.peak_mb:.0f}",
            "-" if r.queue_peak is None else str(r.queue_peak)]


def print_row(r: Result) -> None:
    print("  " + " | ".join(f"{c}={v}" for c, v in zip(COLUMNS, row(r), strict=True)), flush=True)
    if r.failed:
        print(f"  ({r.failed} deliveries failed without timing out: refused, reset or not 2xx)", flush=True)
    if r.late_ms > 50:
        print(f"  (the load generator ran up to {r.late_ms:.0f} ms behind its schedule)", flush=True)
    if r.cpu_split:
        print(f"  {r.setup}'s {cpusplit.line(r.cpu_split)}", flush=True)


def table(results: list[Result]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row(r)) + " |" for r in results]
    return "\n".join(lines)


def combined(results: list[Result]) -> list[Result]:
    """One row per setup, latency and rate, over the ``--repeat`` runs: each percentile over every
    acknowledgement and event of the runs together; the median of each rate and CPU figure (a
    typical run, not the luckiest); the highest of each maximum (acknowledgement max, peak memory,
    deepest queue, lag of the load generator); the sum of every count (deliveries, timeouts,
    events never answered or answered twice: none may hide in a median); and the earliest point at
    which Webex would have disabled the webhook.

    Percentiles are pooled, not the median of the runs' own: at 50/s a run offers 400 deliveries,
    so its p99 is its fourth-slowest event and moves by a fifth from run to run (12.7, 11.1, 13.2,
    13.3 and 12.9 ms for the same setup); five runs pooled give a p99 of 1,800 events, and a run
    whose tail was worse than the others' still counts (its median would drop it)."""
    groups: dict[tuple[str, float, float], list[Result]] = {}
    for r in results:
        groups.setdefault((r.setup, r.latency, r.rate), []).append(r)
    rows = []
    for (setup, latency, rate), runs in groups.items():
        mid, total = partial(median_of, runs), partial(total_of, runs)
        acks, answers = pooled(runs, "acks"), pooled(runs, "answers")

        peaks = [r.queue_peak for r in runs if r.queue_peak is not None]
        disabled = [r.disabled_at for r in runs if r.disabled_at is not None]
        rows.append(Result(
            setup=setup, latency=latency, rate=rate, deliveries=total("deliveries"), events=total("events"),
            ack_p50=pct(acks, 50), ack_p99=pct(acks, 99), ack_max=max(r.ack_max for r in runs),
            timed_out=total("timed_out"), failed=total("failed"), answer_p50=pct(answers, 50),
            answer_p99=pct(answers, 99), never=total("never"), twice=total("twice"),
            replies_per_s=mid("replies_per_s"), cpu_ms=mid("cpu_ms"), peak_mb=max(r.peak_mb for r in runs),
            queue_peak=max(peaks) if peaks else None, late_ms=max(r.late_ms for r in runs),
            round_trips_per_event=mid("round_trips_per_event"), webex_cpu_ms=mid("webex_cpu_ms"),
            disabled_at=min(disabled) if disabled else None, lost_after_disable=total("lost_after_disable"),
            answered_after_timeout=total("answered_after_timeout"), acks=acks, answers=answers))
    ran: dict[tuple[float, float], int] = {}  # (latency, rate) -> when it first ran
    for index, r in enumerate(results):
        ran.setdefault((r.latency, r.rate), index)
    rows.sort(key=lambda r: (ran[r.latency, r.rate], SETUPS.index(r.setup) if r.setup in SETUPS else len(SETUPS)))
    return rows  # in the order the rates ran, the setups in their usual order within each


def ratios(results: list[Result]) -> str:
    """The usual pattern's p99s over numbot's, and numbot's replies per second over the usual
    pattern's. Over several runs: a p99's ratio is that of the two setups' p99s over every event
    of their runs (as ``combined`` rows give them), a rate's the median of the runs' own ratios;
    the range is that of each run's own ratio, taken within the run (numbot and the usual pattern
    seconds apart, see ``run_all``)."""
    usual = {(r.latency, r.rate, r.repeat): r for r in results if r.setup == "usual"}
    lines = []
    for setup in ("numbot", "numbot-redis"):
        paired: dict[tuple[float, float], list[tuple[Result, Result]]] = {}
        for m in (r for r in results if r.setup == setup and (r.latency, r.rate, r.repeat) in usual):
            paired.setdefault((m.latency, m.rate), []).append((usual[m.latency, m.rate, m.repeat], m))
        for (latency, rate), pairs in paired.items():  # in the order they ran, as the table
            usual_runs, own_runs = [u for u, _ in pairs], [m for _, m in pairs]
            ack = spread([ratio_of(u.ack_p99, m.ack_p99) for u, m in pairs], 0,
                         ratio_of(pct(pooled(usual_runs, "acks"), 99), pct(pooled(own_runs, "acks"), 99)))
            answer = spread([ratio_of(u.answer_p99, m.answer_p99) for u, m in pairs], 1,
                            ratio_of(pct(pooled(usual_runs, "answers"), 99), pct(pooled(own_runs, "answers"), 99)))
            replies = spread([ratio_of(m.replies_per_s, u.replies_per_s) for u, m in pairs])
            lines.append(f"| {setup} | {latency * 1000:g} | {rate:g} | {ack} | {answer} | {replies} |")
    if not lines:
        return ""
    return "\n".join(["| setup | Webex ms | offered/s | usual ack p99 / numbot's | usual answer p99 / numbot's "
                      "| numbot replies/s / usual's |", "|---|---|---|---|---|---|", *lines])


def median_of(runs: list[Result], name: str) -> float:
    """The median of the runs' ``name`` (a rate or CPU figure)."""
    return statistics.median(getattr(r, name) for r in runs)


def total_of(runs: list[Result], name: str) -> int:
    """The sum of the runs' ``name`` (a count)."""
    return sum(getattr(r, name) for r in runs)


def pooled(runs: list[Result], samples: str) -> list[float]:
    """The runs' ``samples`` ("acks", "answers") together, for a percentile over all of them."""
    return [value for r in runs for value in getattr(r, samples)]


def ratio_of(a: float, b: float) -> float:
    return a / b if a == a and b == b and b > 0 else float("nan")


def spread(values: list[float], digits: int = 1, overall: float = math.nan) -> str:
    """``1.4x``; over several runs ``1.4x (0.9-2.1x)``: ``overall`` (the ratio over the runs
    together; without it, the median of ``values``), then the lowest and highest of ``values``."""
    known = [v for v in values if v == v]
    if not known:
        return "-"
    text = f"{overall if overall == overall else statistics.median(known):.{digits}f}x"
    if len(known) > 1:
        text += f" ({min(known):.{digits}f}-{max(known):.{digits}f}x)"
    return text


def usual_fate(results: list[Result]) -> str:
    lines = []
    for r in (r for r in results if r.setup == "usual"):
        at = f"- {r.rate:g}/s, {r.latency * 1000:g} ms a call"
        if not (r.timed_out or r.failed):
            lines.append(f"{at}: every delivery acknowledged within {ms(r.ack_max)}.")
            continue
        text = (f"{at}: {r.timed_out} of {r.deliveries} deliveries timed out (no answer within "
                f"the delivery timeout){f', {r.failed} failed otherwise' if r.failed else ''}; "
                f"{r.answered_after_timeout} of those events were answered anyway, after Webex had given up")
        if r.disabled_at is not None:
            text += (f"; {FAILURES_TO_DISABLE} failures in a row (at {r.disabled_at:.1f} s) are enough for Webex "
                     f"to disable the webhook: ")
            text += (f"the {r.lost_after_disable} events offered after that would never have reached the bot"
                     if r.lost_after_disable else
                     "every event offered after that, had the load lasted so long, would never reach the bot")
        lines.append(text + ".")
    return "\n".join(lines)


def capacity(results: list[Result], workers: dict[str, int]) -> str:
    """The sizing rule against the measured throughput of each setup."""
    lines = []
    for latency in dict.fromkeys(r.latency for r in results):  # in the order they ran
        for setup, slots in workers.items():
            rows = [r for r in results if r.setup == setup and r.latency == latency]
            if not rows:
                continue
            trips = statistics.median(r.round_trips_per_event for r in rows)
            cpu = statistics.median(r.cpu_ms for r in rows) / 1000
            webex = statistics.median(r.webex_cpu_ms for r in rows) / 1000
            per_event = trips * latency
            what = "queue workers" if setup.startswith("numbot") else "gunicorn threads"
            bound = (f"{slots} {what} / ({trips:.1f} Webex round trips in turn x {latency * 1000:g} ms) = "
                     f"{slots / per_event:.0f} "
                     f"replies/s at most from Webex's latency" if per_event else "no limit from Webex's latency")
            cores = os.cpu_count() or 1
            best = max(r.replies_per_s for r in rows)
            lines.append(f"- {setup}, {latency * 1000:g} ms a call: {bound}; {cores} cores / "
                         f"({cpu * 1000:.1f} ms of its CPU + {webex * 1000:.1f} ms of the sandbox's per event) = "
                         f"{cores / (cpu + webex):.0f}/s at most from this machine's CPU; measured at most {best:.0f} "
                         f"replies/s.")
    return "\n".join(lines)


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown CPU")
    memory = next((int(line.split()[1]) / 2**20 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:")), 0.0)
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())

    def version(name: str) -> str:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as v

        try:
            return v(name)
        except PackageNotFoundError:
            return "?"

    return (f"{os.cpu_count()} cores ({model}), {memory:.0f} GB memory, Linux {platform.release()}, "
            f"Python {platform.python_version()}, gunicorn {version('gunicorn')}, huey {version('huey')}, "
            f"Flask {version('flask')}; load average at the start {load}")


def report(results: list[Result], args: argparse.Namespace, workers: dict[str, int], started: float,
           machine_text: str) -> str:
    settings = (f"{' and '.join(f'{v * 1000:g}' for v in args.latencies)} ms per Webex call; "
                f"{args.duration:g} s per rate"
                f"{f' (at least {args.least} deliveries)' if args.least else ''}; "
                f"{args.card_share:.0%} card presses; {args.dup_share:.0%} of deliveries duplicates; "
                f"delivery timeout {args.delivery_timeout:g} s")
    if args.repeat > 1:
        settings += (f"; every setup, latency and rate run {args.repeat} times (the setups one after the other at "
                     f"each rate): each row gives its percentiles over every event of its runs together, the median "
                     f"of their rates and CPU, the highest of their maxima and peaks, and the sum of their counts; "
                     f"each ratio is that of the rows (of replies per second: the median of the runs' own), "
                     f"with the range of the runs' own ratios")
    rows = combined(results)
    parts = [
        f"Command: `{args.command}`  ",
        f"Machine: {machine_text}{'; shared with other test runs at the time' if args.shared else ''}  ",
        f"Settings: {settings}; the Procfile's web line ({procfile_web_command()}) with its defaults; "
        f"took {time.monotonic() - started:.0f} s.",
        "",
        table(rows),
        "",
    ]
    ratio = ratios(results)
    if ratio:
        parts += ["The usual pattern against numbot, rate by rate:", "", ratio, ""]
    fate = usual_fate(rows)
    if fate:
        parts += ["What happens to the usual pattern's deliveries:", "", fate, ""]
    parts += ["Capacity (the sizing rule against the measurement):", "", capacity(rows, workers)]
    return "\n".join(parts)


def write_readme(path: Path, text: str) -> None:
    block = f"{START}\n{text}\n{END}"
    if path.exists():
        current = path.read_text()
        if START in current and END in current:
            before, rest = current.split(START, 1)
            after = rest.split(END, 1)[1]
            path.write_text(before + block + after)
            return
        path.write_text(current.rstrip() + "\n\n" + block + "\n")
        return
    path.write_text(f"# Benchmarks\n\n{block}\n")


def worker_counts(args: argparse.Namespace, setups: list[str]) -> dict[str, int]:
    """How many events each setup works on at once: gunicorn's threads (usual pattern) or queue
    workers (numbot), over every process and instance."""
    from bot.core.config import Settings

    extra = dict(item.split("=", 1) for item in args.env)
    processes = int(extra.get("WEB_CONCURRENCY", "2"))
    threads = int(extra.get("NUMBOT_WEB_THREADS", "4"))
    queue_workers = int(extra.get("NUMBOT_WORKERS", str(Settings.__dataclass_fields__["workers"].default)))
    counts = {"numbot": processes * queue_workers, "usual": processes * threads,
              "numbot-redis": 2 * processes * queue_workers}
    return {s: counts[s] for s in setups}


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="50 and 200 deliveries/s, 2 s each, no README")
    parser.add_argument("--rates", default=None, help="deliveries per second, comma-separated (50,100,200,400)")
    parser.add_argument("--duration", type=float, default=None, help="seconds of load per rate (default 4)")
    parser.add_argument("--least", type=int, default=None,
                        help="offer a low rate for longer, until this many deliveries (default 400; --quick: 0)")
    parser.add_argument("--latency", default="0.08",
                        help="seconds per Webex call (default 0.08); several, comma-separated, run one after the other")
    parser.add_argument("--setups", default=",".join(SETUPS), help=f"which, comma-separated ({','.join(SETUPS)})")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run everything this many times; percentiles over every run's events, "
                             "rates the runs' median")
    parser.add_argument("--card-share", type=float, default=0.3, help="share of events that are card presses")
    parser.add_argument("--dup-share", type=float, default=0.1, help="share of deliveries that are duplicates")
    parser.add_argument("--delivery-timeout", type=float, default=10.0, help="seconds Webex waits for a 200")
    parser.add_argument("--drain", type=float, default=120.0, help="at most this many seconds of draining per rate")
    parser.add_argument("--stall", type=float, default=15.0, help="stop draining after this long without progress")
    parser.add_argument("--grace", type=float, default=1.5, help="seconds to wait for late doubles once all answered")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for the web processes, e.g. NUMBOT_WORKERS=8 or WEB_CONCURRENCY=3")
    parser.add_argument("--readme", type=Path, default=None,
                        help="write the table here (a full run writes bench/README.md by default)")
    parser.add_argument("--no-readme", action="store_true", help="only print")
    parser.add_argument("--cpu-split", action="store_true",
                        help="print where numbot's CPU goes per event (bench/cpusplit.py); implies --no-readme")
    parser.add_argument("--logs", type=Path, default=None, help="keep the stores and logs in this directory")
    parser.add_argument("--shared", action="store_true", help="say in the README that the machine was shared")
    args = parser.parse_args(argv)
    args.command = "./run bench load" + ("" if not argv else " " + " ".join(shlex.quote(a) for a in argv))
    args.rates = [float(r) for r in (args.rates or ("50,200" if args.quick else "50,100,200,400")).split(",")]
    args.latencies = [float(v) for v in args.latency.split(",")]
    if args.duration is None:
        args.duration = 2.0 if args.quick else 4.0
    if args.least is None:
        args.least = 0 if args.quick else 400
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    setups = [s.strip() for s in args.setups.split(",") if s.strip()]
    unknown = set(setups) - set(SETUPS)
    if unknown:
        parser.error(f"unknown setup(s): {', '.join(sorted(unknown))}")
    if "numbot-redis" in setups and shutil.which("redis-server") is None:
        print("bench: redis-server is not installed: skipping numbot-redis (./run test installs it)", file=sys.stderr)
        setups.remove("numbot-redis")
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # thousands of open deliveries when a setup lags
    machine_text = machine()
    started = time.monotonic()
    print(f"numbot load bench: {machine_text}", flush=True)
    with tempfile.TemporaryDirectory(prefix="numbot-load-") as tmp:
        logs = args.logs or Path(tmp)
        logs.mkdir(parents=True, exist_ok=True)
        results = run_all(setups, args, logs)
    text = report(results, args, worker_counts(args, setups), started, machine_text)
    print()
    print(text)
    # A split run's wrappers cost CPU of their own: its figures are not the table's.
    readme = None if args.no_readme or args.cpu_split else args.readme or (None if args.quick else README)
    if readme is not None:
        write_readme(readme, text)
        print(f"\nwritten to {readme}")


if __name__ == "__main__":
    main()
