"""Logging setup: one line per record on stderr, JSON by default.

Every line is a JSON object (``NUMBOT_LOG_FORMAT=json``, the default) that log
tools can index: ``ts``, ``level``, ``logger``, ``msg``, and, for records whose
message is itself a JSON object (the per-event records of ``bot.events``), that
object's fields. ``NUMBOT_LOG_FORMAT=text`` gives classic lines for a terminal.

Secrets never reach a log line: tokens live only in request headers and the
store, error texts come from Webex error bodies, and urllib3's and the SDK's
debug logging (which would print headers) stay off.
"""
from __future__ import annotations

import json
import logging
import os
import time

_configured = False


class JsonFormatter(logging.Formatter):
    """One JSON object per record; a JSON-object message is merged in, not quoted."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
        }
        message = record.getMessage()
        fields = None
        if message.startswith("{"):
            try:
                fields = json.loads(message)
            except ValueError:
                fields = None
        if isinstance(fields, dict):
            line.update(fields)
        else:
            line["msg"] = message
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_logging() -> None:
    global _configured
    if _configured:
        return
    _configured = True
    level = os.environ.get("NUMBOT_LOG_LEVEL", "INFO").upper()
    handler = logging.StreamHandler()
    if os.environ.get("NUMBOT_LOG_FORMAT", "json").strip().lower() == "text":
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    else:
        handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    if not root.handlers:  # leave a host's own logging (pytest, an embedding app) alone
        root.addHandler(handler)
        root.setLevel(level if isinstance(logging.getLevelName(level), int) else "INFO")
    for noisy in ("urllib3", "huey", "webexpythonsdk", "werkzeug"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
