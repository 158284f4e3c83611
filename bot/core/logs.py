"""Logging setup: one line per record on stderr, JSON by default.

Every line is a JSON object (``NUMBOT_LOG_FORMAT=json``, the default) that log
tools can index: ``ts``, ``level``, ``logger``, ``msg``, and the record's fields,
given through the logging API: ``log.info("event handled", extra=fields(...))``.
``NUMBOT_LOG_FORMAT=text`` gives classic lines for a terminal, fields as
``key=value``.

Secrets never reach a log line: tokens live only in request headers and the
store, error texts come from Webex error bodies, and urllib3's and the SDK's
debug logging (which would print headers) stay off.
"""
from __future__ import annotations

import json
import logging
import os
import time

FIELDS = "numbot_fields"  # the LogRecord attribute that ``fields`` fills


def fields(**values: object) -> dict:
    """``extra=`` for a log call: these values become the line's own fields."""
    return {FIELDS: values}


def record_fields(record: logging.LogRecord) -> dict:
    values = getattr(record, FIELDS, None)
    return values if isinstance(values, dict) else {}


class JsonFormatter(logging.Formatter):
    """One JSON object per record, with the record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update(record_fields(record))
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        extra = " ".join(f"{k}={json.dumps(v, default=str)}" for k, v in record_fields(record).items())
        return super().format(record) + (f" {extra}" if extra else "")


_configured = False


def configure_logging() -> None:
    global _configured
    if _configured:
        return
    _configured = True
    level = os.environ.get("NUMBOT_LOG_LEVEL", "INFO").upper()
    handler = logging.StreamHandler()
    if os.environ.get("NUMBOT_LOG_FORMAT", "json").strip().lower() == "text":
        handler.setFormatter(TextFormatter())
    else:
        handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    if not root.handlers:  # leave a host's own logging (pytest, an embedding app) alone
        root.addHandler(handler)
        root.setLevel(level if isinstance(logging.getLevelName(level), int) else "INFO")
    for noisy in ("urllib3", "huey", "webexpythonsdk", "werkzeug"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
