"""Named points on an event's path where the fault-injection tests kill the process for real.

``NUMBOT_FAULT_KILL_AT=step:N`` (tests only) sends this process ``SIGKILL`` the N-th time it passes
``step`` (N defaults to 1), the way an OOM kill or a lost machine stops it: no ``finally``, no
``atexit``, no flush. The steps, in the order an event meets them:

- ``acknowledged``: the webhook stored the event and has not answered yet;
- ``taken``: a worker took the event from the queue (its lease is written);
- ``called``: the worker's first Webex call for the event (reading it) came back;
- ``replied``: the reply was posted;
- ``finishing``: the worker is about to mark the event answered and remove it from the queue.

Unset (every deployment), ``point`` is one comparison.
"""
from __future__ import annotations

import os
import signal
import sys
import threading

STEPS = ("acknowledged", "taken", "called", "replied", "finishing")
VARIABLE = "NUMBOT_FAULT_KILL_AT"


def _parse(value: str) -> tuple[str, int]:
    step, _, count = value.partition(":")
    if step not in STEPS:
        raise ValueError(f"{VARIABLE}: {step!r} is not one of {', '.join(STEPS)}")
    return step, int(count or "1")


_target = _parse(os.environ[VARIABLE]) if os.environ.get(VARIABLE) else None
_passed = 0
_lock = threading.Lock()


def point(step: str) -> None:
    """Kill this process here if the test asked for it."""
    global _passed
    if _target is None or step != _target[0]:
        return
    with _lock:
        _passed += 1
        if _passed != _target[1]:
            return
    print(f"numbot: {VARIABLE}: killed at {step} #{_target[1]}", file=sys.stderr, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
