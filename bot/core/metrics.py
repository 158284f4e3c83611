"""What numbot counts, for ``GET /metrics`` (Prometheus text format, ``prometheus_client``).

Every metric is defined here, with the rule that keeps its labels bounded, and the modules that
count call one function each (``metrics.webex_call(...)`` in ``bot.webex.transport``, ``metrics.handled(...)``
in ``bot.conversation.events``): an instrumentation point is one line, and a name cannot drift between the
place that counts and the README that lists it. No label ever holds an id, a URL, a person or
free text: an endpoint is a template (``messages/{id}``), an outcome the word before its colon.

**Several processes.** gunicorn runs the web app in ``WEB_CONCURRENCY`` processes and a scrape
reaches one of them, so counters live in ``prometheus_client``'s multiprocess files, which every
process writes and the scraped one adds up. That needs ``PROMETHEUS_MULTIPROC_DIR`` set before
``prometheus_client`` is imported, the same directory for every process of one gunicorn start,
and a fresh one at each start. The Procfile's line runs gunicorn without a config file, so this
module chooses it, on import, before it imports ``prometheus_client``:

- ``PROMETHEUS_MULTIPROC_DIR`` set by the operator: used as it is (they empty it at each start,
  as ``prometheus_client``'s documentation asks);
- under gunicorn: a private directory (mode 0700) named after the gunicorn master's pid and start
  time, ``numbot-metrics-<uid>-<pid>-<start>`` in the temporary directory: every worker of one
  start (the master's children; the master itself under ``--preload``) finds the same one, the
  next start gets a new one, and the first worker of a start removes those of masters that are
  gone. No config file and no hook, so it works however gunicorn is started (any directory,
  ``-c`` config or none), and the Procfile's line stays as it is;
- otherwise (``python -m bot serve``, the tests): one process, no files.

The queue's depth and age are not kept in files: they are read from the store at each scrape
(``QueueCollector``), so there are no per-process gauges, and a dead worker's files hold only
counters and histograms, which must outlive it (``multiprocess.mark_process_dead`` removes only
live gauges' files: with none, there is nothing to mark).
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any, Optional
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
DIR_PREFIX = "numbot-metrics-"


def _proc(pid: int, name: str) -> Optional[str]:
    try:
        with open(f"/proc/{pid}/{name}", "rb") as file:
            return file.read().decode("utf-8", "replace")
    except OSError:
        return None


def _started(pid: int) -> str:
    """When process ``pid`` started (Linux: clock ticks after boot, ``/proc/<pid>/stat`` field 22);
    "0" where there is no ``/proc``. With the pid it names one process's life, not a reused pid."""
    line = _proc(pid, "stat")
    if not line or ")" not in line:
        return "0"
    fields = line.rsplit(")", 1)[1].split()
    return fields[19] if len(fields) > 19 else "0"


def _gunicorn_master() -> Optional[int]:
    """The pid of the gunicorn master this process runs under; None outside gunicorn (which sets
    ``SERVER_SOFTWARE`` in its master's environment, so its workers have it too)."""
    if not os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn/"):
        return None
    parent = os.getppid()
    cmdline = _proc(parent, "cmdline")
    # A worker's parent is the master; under --preload the master itself imports this module.
    return os.getpid() if cmdline is not None and "gunicorn" not in cmdline else parent


def _private_dir(master: int) -> Optional[str]:
    base = tempfile.gettempdir()
    uid = os.getuid() if hasattr(os, "getuid") else 0
    path = os.path.join(base, f"{DIR_PREFIX}{uid}-{master}-{_started(master)}")
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        found = os.lstat(path)  # another worker of this start made it; never follow a planted link
        if not stat.S_ISDIR(found.st_mode) or found.st_uid != uid or found.st_mode & 0o077:
            log.warning("metrics: %s is not this user's private directory; each process counts alone", path)
            return None
        return path
    except OSError as error:
        log.warning("metrics: cannot create %s (%s); each process counts alone", path, error)
        return None
    for name in os.listdir(base):  # the first worker of a start: remove what ended masters left
        parts = name[len(DIR_PREFIX):].split("-")
        if name.startswith(DIR_PREFIX) and len(parts) == 3 and parts[0] == str(uid) and parts[1].isdigit() \
                and _started(int(parts[1])) != parts[2]:
            shutil.rmtree(os.path.join(base, name), ignore_errors=True)
    return path


def _choose_multiprocess_dir() -> Optional[str]:
    if os.environ.get(MULTIPROC_ENV):
        return os.environ[MULTIPROC_ENV]
    master = _gunicorn_master()
    path = None if master is None else _private_dir(master)
    if path is not None:
        os.environ[MULTIPROC_ENV] = path  # read by prometheus_client's import, just below
    return path


MULTIPROCESS_DIR = _choose_multiprocess_dir()

# Imported only now: prometheus_client reads PROMETHEUS_MULTIPROC_DIR once, when it is imported.
from prometheus_client import (  # noqa: E402
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric  # noqa: E402

# -- the metrics ------------------------------------------------------------------------------

WEBHOOK_REQUESTS = Counter("numbot_webhook_requests", "POST /webhook requests, by the HTTP status answered",
                           ["status"])
EVENTS_RECEIVED = Counter("numbot_events_received", "Signed, well-formed webhook events received", ["resource"])
EVENTS_ACKNOWLEDGED = Counter("numbot_events_acknowledged",
                              "Events stored in the queue as new and answered 200 (each will be handled)",
                              ["resource"])
REDELIVERIES_DROPPED = Counter("numbot_redeliveries_dropped",
                               "Re-deliveries of an event already queued (pending) or answered (handled), "
                               "answered 200 and not queued again", ["resource", "found"])
EVENTS_HANDLED = Counter("numbot_events_handled",
                         "Events a queue worker finished with, by outcome (replied, ignored, refused, failed, "
                         "crashed, interrupted) and flow", ["outcome", "flow"])
WEBEX_CALLS = Counter("numbot_webex_calls", "Webex API calls, by method, endpoint (ids replaced) and status "
                      "(none: no answer)", ["method", "endpoint", "status"])
WEBEX_SECONDS = Histogram("numbot_webex_call_seconds", "Time of one Webex API call, by method and endpoint",
                          ["method", "endpoint"],
                          buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))
RATE_PAUSES = Counter("numbot_webex_rate_limit_pauses", "429 answers that paused an API for every worker",
                      ["api"])
RATE_PAUSE_SECONDS = Counter("numbot_webex_rate_limit_pause_seconds", "Seconds of pause 429 answers asked for",
                             ["api"])
TOKEN_REFRESHES = Counter("numbot_token_refreshes", "Service app token grants, by outcome (ok, refused, "
                          "unreachable)", ["outcome"])
BULK_ROWS = Counter("numbot_bulk_rows", "Rows of attached files, by result (checked: a number validated; "
                    "not_checked: not a number, or its batch failed)", ["result"])

# -- bounded labels -----------------------------------------------------------------------------

# The words of the Webex paths the bot calls; any other segment (an id, a name) reads {id}. A new
# endpoint's words go here, or they read {id} too: never a label per id.
PATH_WORDS = frozenset({
    "people", "me", "messages", "attachment", "actions", "webhooks", "rooms", "memberships", "contents",
    "telephony", "config", "validateNumbers", "invoke", "locations", "autoAttendants", "alternate",
    "availableNumbers", "numbers", "organizations", "roles", "licenses", "access_token",
})
MAX_SEGMENTS = 8
OUTCOMES = frozenset({"replied", "ignored", "refused", "failed", "crashed", "interrupted"})
RESOURCES = frozenset({"messages", "attachmentActions"})  # the webhooks' resources (bot.conversation.events)
_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


def endpoint(path: str) -> str:
    """``messages/{id}`` for ``messages/Y2lz…``; a full URL (a next page, a file) loses its host,
    its path up to ``v1`` and its query."""
    if "://" in path:
        segments = urlsplit(path).path.strip("/").split("/")
        if "v1" in segments:
            segments = segments[segments.index("v1") + 1:]
    else:
        segments = path.split("?", 1)[0].strip("/").split("/")
    return "/".join(s if s in PATH_WORDS else "{id}" for s in segments[:MAX_SEGMENTS])


def _outcome(outcome: str) -> str:
    word = outcome.split(":", 1)[0].split("(", 1)[0].strip()
    return word if word in OUTCOMES else "other"


def _resource(resource: str) -> str:
    return resource if resource in RESOURCES else "other"


def _name(value: Optional[str]) -> str:
    if not value:
        return "none"
    return value if _NAME.fullmatch(value) else "other"


# -- the instrumentation points: one call each ---------------------------------------------------

def webhook_answered(status: int) -> None:
    WEBHOOK_REQUESTS.labels(str(int(status))).inc()


def received(resource: str) -> None:
    EVENTS_RECEIVED.labels(_resource(resource)).inc()


def stored(resource: str, outcome: str) -> None:
    """``EventQueue.put`` said ``outcome``: queued (acknowledged) or a re-delivery dropped."""
    if outcome == "queued":
        EVENTS_ACKNOWLEDGED.labels(_resource(resource)).inc()
    else:
        REDELIVERIES_DROPPED.labels(_resource(resource), _name(outcome)).inc()


def handled(outcome: str, flow: Optional[str]) -> None:
    EVENTS_HANDLED.labels(_outcome(outcome), _name(flow)).inc()


def webex_call(method: str, path: str, status: Optional[int], seconds: float) -> None:
    name = endpoint(path)
    method = method if method in ("GET", "POST", "PUT", "DELETE", "HEAD", "PATCH") else "other"
    WEBEX_CALLS.labels(method, name, str(int(status)) if status else "none").inc()
    WEBEX_SECONDS.labels(method, name).observe(seconds)


def rate_paused(group: str, seconds: float) -> None:
    api = group if re.fullmatch(r"(bot|service):[A-Za-z_]{1,40}", group) else "other"
    RATE_PAUSES.labels(api).inc()
    RATE_PAUSE_SECONDS.labels(api).inc(max(0.0, seconds))


def token_refreshed(outcome: str) -> None:
    TOKEN_REFRESHES.labels(outcome if outcome in ("ok", "refused", "unreachable") else "other").inc()


def bulk_rows(checked: int, not_checked: int) -> None:
    BULK_ROWS.labels("checked").inc(checked)
    BULK_ROWS.labels("not_checked").inc(not_checked)


# -- the scrape -----------------------------------------------------------------------------------

class QueueCollector:
    """The event queue as the store holds it, read at each scrape (every process sees the same
    store, so any of them answers for all): events ready, unfinished, the oldest ready one's age."""

    def __init__(self, queue: Any) -> None:
        self.queue = queue  # bot.queue.eventqueue.EventQueue: not imported, so this module imports no bot module

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("numbot_store_up", "1 when the store answered this scrape's queue reads")
        try:
            ready, unfinished, oldest = self.queue.ready(), self.queue.unfinished(), self.queue.oldest_ready_age()
        except Exception as error:  # the store is down: say so, and leave the queue's gauges out
            log.warning("metrics: reading the queue failed (%s)", type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily("numbot_queue_ready_events", "Acknowledged events waiting for a worker",
                                value=ready)
        yield GaugeMetricFamily("numbot_queue_unfinished_events",
                                "Acknowledged events not finished: waiting, or with a worker", value=unfinished)
        yield GaugeMetricFamily("numbot_queue_oldest_ready_age_seconds",
                                "How long the event that has waited longest for a worker has waited (0: none)",
                                value=oldest or 0.0)


class _ThisProcess:
    """This process's own metrics (one process: no multiprocess files)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def registry_for(queue: Any) -> CollectorRegistry:
    """What ``GET /metrics`` shows: every process's counters (or this one's), and the queue."""
    registry = CollectorRegistry(auto_describe=False)
    if MULTIPROCESS_DIR:
        multiprocess.MultiProcessCollector(registry, path=MULTIPROCESS_DIR)
    else:
        registry.register(_ThisProcess())
    registry.register(QueueCollector(queue))
    return registry


def exposition(registry: CollectorRegistry) -> tuple[bytes, str]:
    return generate_latest(registry), CONTENT_TYPE_LATEST
