"""Logging setup: one line per record on stderr; event records are JSON.

Secrets never reach a log line: tokens live only in request headers and the
store, error texts come from Webex error bodies, and urllib3's debug logging
(which would print headers) stays off.
"""
from __future__ import annotations

import logging
import os

_configured = False


def configure_logging() -> None:
    global _configured
    if _configured:
        return
    _configured = True
    level = os.environ.get("NUMBOT_LOG_LEVEL", "INFO").upper()
    logging.basicConfig(level=level if level in logging._nameToLevel else "INFO", format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for noisy in ("urllib3", "huey", "webexpythonsdk", "werkzeug"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
