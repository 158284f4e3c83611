"""Settings from the environment (and a ``.env`` file when present).

Operators' deploy scripts rely on these names; every one is documented in the
README. A missing required variable stops start-up with one line naming it.
"""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional, overload

import phonenumbers

DEFAULT_API_URL = "https://webexapis.com/v1"
# Webex role ids decode to ``ciscospark://us/ROLE/<name>``; ``id_full_admin`` is the full administrator.
DEFAULT_ADMIN_ROLES = ("id_full_admin",)


class ConfigError(Exception):
    """A setting is missing or wrong; the message is one line for the operator."""


@dataclass(frozen=True)
class ServiceAppCredentials:
    """Either a ready token or what the refresh-token grant needs."""

    access_token: Optional[str] = field(default=None, repr=False)
    client_id: Optional[str] = None
    client_secret: Optional[str] = field(default=None, repr=False)
    refresh_token: Optional[str] = field(default=None, repr=False)

    @property
    def can_refresh(self) -> bool:
        return bool(self.client_id and self.client_secret and self.refresh_token)


@dataclass(frozen=True)
class Settings:
    bot_token: str = field(repr=False)
    webhook_secret: Optional[str] = field(repr=False)
    service_app: ServiceAppCredentials
    api_url: str = DEFAULT_API_URL
    org_id: Optional[str] = None
    default_region: str = "US"
    validate_batch: int = 100
    page_size: int = 10
    store_url: str = "sqlite:///var/numbot.db"
    # Queue workers per process. A worker spends an event waiting on about three Webex round
    # trips, not on the CPU, so the count follows Webex's latency, not the cores: 10 per process
    # answer up to ~41 events/s at 80 ms a call (the sizing rule in the README). The client
    # keeps a connection for each call they can have in flight (``webex.keep_connections``).
    workers: int = 10
    # How much lower the workers' CPU priority is than the webhook's (Linux ``nice``, 0-19): when
    # the CPU is short, the acknowledgement goes first (``bot.queue.jobs.lower_priority``).
    worker_nice: int = 3
    embedded_workers: bool = True
    insecure_no_signature: bool = False
    max_body_bytes: int = 1_000_000
    request_timeout: int = 30
    max_retries: int = 3
    max_wait_seconds: int = 120
    job_lease_seconds: int = 20
    # No longer used (the queue needs no safety net: ``bot.queue.eventqueue``); still read and checked so
    # that deploy scripts that set NUMBOT_RECOVER_AFTER keep working.
    recover_after: int = 300
    # On SIGTERM, how long running events may go on before they are handed back to the next process.
    drain_seconds: int = 10
    # An event whose worker died this many times is answered with an error card instead of a further try.
    max_attempts: int = 5
    token_retry_seconds: int = 60
    public_url: Optional[str] = None
    allowed_users: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    require_admin: bool = True
    contact: Optional[str] = None  # whom a refused person should ask, e.g. "the Voice team (voice@example.com)"
    press_window_seconds: int = 3
    max_file_bytes: int = 5_000_000
    max_bulk_numbers: int = 10_000
    bulk_concurrency: int = 4
    admin_roles: tuple[str, ...] = DEFAULT_ADMIN_ROLES
    # Changes in Webex (add numbers, auto attendant alternate numbers): off unless the operator
    # turns them on, so that a deployment that only checks stays read-only (``bot.conversation.changes``).
    allow_changes: bool = False
    # How long a confirmation card can be pressed.
    confirm_seconds: int = 600
    # GET /metrics (``bot.core.metrics``): served unless off; with a token, only to ``Bearer <token>``.
    metrics: bool = True
    metrics_token: Optional[str] = field(default=None, repr=False)


def _bool(value: str, name: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


def _int(value: str, name: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None
    if not low <= number <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, not {number}")
    return number


def _list(value: str) -> tuple[str, ...]:
    """Comma/semicolon/space separated; case kept (person ids are case-sensitive)."""
    return tuple(item for item in re.split(r"[\s,;]+", value) if item)


def load_settings(env: Optional[Mapping[str, str]] = None, *, read_dotenv: bool = True) -> Settings:
    """Read settings; ``env`` defaults to ``os.environ`` (plus ``.env``)."""
    if env is None:
        if read_dotenv:
            from dotenv import load_dotenv

            load_dotenv(override=False)
        env = os.environ

    @overload
    def get(name: str) -> Optional[str]: ...
    @overload
    def get(name: str, default: str) -> str: ...
    def get(name: str, default: Optional[str] = None) -> Optional[str]:
        value = env.get(name)
        return value if value not in (None, "") else default

    def required(name: str) -> str:
        value = get(name)
        if value is None:
            raise ConfigError(f"missing required setting {name} (see README, 'Configuration')")
        return value

    bot_token = required("WEBEX_BOT_TOKEN")
    insecure = _bool(get("NUMBOT_INSECURE_NO_SIGNATURE", "false"), "NUMBOT_INSECURE_NO_SIGNATURE")
    secret = get("WEBEX_WEBHOOK_SECRET")
    if secret is None and not insecure:
        raise ConfigError(
            "missing required setting WEBEX_WEBHOOK_SECRET "
            "(set NUMBOT_INSECURE_NO_SIGNATURE=true only for local experiments)"
        )
    service_app = ServiceAppCredentials(
        access_token=get("WEBEX_SERVICE_APP_TOKEN"),
        client_id=get("WEBEX_SERVICE_APP_CLIENT_ID"),
        client_secret=get("WEBEX_SERVICE_APP_CLIENT_SECRET"),
        refresh_token=get("WEBEX_SERVICE_APP_REFRESH_TOKEN"),
    )
    if not service_app.access_token and not service_app.can_refresh:
        partial = [
            name
            for name, value in (
                ("WEBEX_SERVICE_APP_CLIENT_ID", service_app.client_id),
                ("WEBEX_SERVICE_APP_CLIENT_SECRET", service_app.client_secret),
                ("WEBEX_SERVICE_APP_REFRESH_TOKEN", service_app.refresh_token),
            )
            if not value
        ]
        raise ConfigError(
            "missing required setting WEBEX_SERVICE_APP_TOKEN, or "
            + ", ".join(partial)
            + " for the refresh-token grant"
        )
    region = get("NUMBOT_DEFAULT_REGION", "US").upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ConfigError(f"NUMBOT_DEFAULT_REGION must be a region code such as US or GB, not {region!r}")
    store_url = get("NUMBOT_STORE_URL") or get("REDIS_URL") or "sqlite:///var/numbot.db"
    return Settings(
        bot_token=bot_token,
        webhook_secret=secret,
        service_app=service_app,
        api_url=get("WEBEX_API_URL", DEFAULT_API_URL).rstrip("/"),
        org_id=get("WEBEX_ORG_ID"),
        default_region=region,
        validate_batch=_int(get("NUMBOT_VALIDATE_BATCH", "100"), "NUMBOT_VALIDATE_BATCH", 1, 1000),
        page_size=_int(get("NUMBOT_PAGE_SIZE", "10"), "NUMBOT_PAGE_SIZE", 1, 25),
        store_url=store_url,
        workers=_int(get("NUMBOT_WORKERS", "10"), "NUMBOT_WORKERS", 1, 32),
        worker_nice=_int(get("NUMBOT_WORKER_NICE", "3"), "NUMBOT_WORKER_NICE", 0, 19),
        embedded_workers=_bool(get("NUMBOT_EMBEDDED_WORKERS", "true"), "NUMBOT_EMBEDDED_WORKERS"),
        insecure_no_signature=insecure,
        max_body_bytes=_int(get("NUMBOT_MAX_BODY_BYTES", "1000000"), "NUMBOT_MAX_BODY_BYTES", 1024, 50_000_000),
        request_timeout=_int(get("NUMBOT_REQUEST_TIMEOUT", "30"), "NUMBOT_REQUEST_TIMEOUT", 1, 300),
        max_retries=_int(get("NUMBOT_MAX_RETRIES", "3"), "NUMBOT_MAX_RETRIES", 0, 10),
        max_wait_seconds=_int(get("NUMBOT_MAX_WAIT_SECONDS", "120"), "NUMBOT_MAX_WAIT_SECONDS", 1, 3600),
        job_lease_seconds=_int(get("NUMBOT_JOB_LEASE_SECONDS", "20"), "NUMBOT_JOB_LEASE_SECONDS", 3, 3600),
        recover_after=_int(get("NUMBOT_RECOVER_AFTER", "300"), "NUMBOT_RECOVER_AFTER", 1, 86400),
        drain_seconds=_int(get("NUMBOT_DRAIN_SECONDS", "10"), "NUMBOT_DRAIN_SECONDS", 0, 600),
        max_attempts=_int(get("NUMBOT_MAX_ATTEMPTS", "5"), "NUMBOT_MAX_ATTEMPTS", 1, 100),
        token_retry_seconds=_int(get("NUMBOT_TOKEN_RETRY_SECONDS", "60"), "NUMBOT_TOKEN_RETRY_SECONDS", 1, 3600),
        public_url=get("NUMBOT_PUBLIC_URL"),
        allowed_users=_list(get("NUMBOT_ALLOWED_USERS", "")),
        allowed_domains=_list(get("NUMBOT_ALLOWED_DOMAINS", "")),
        require_admin=_bool(get("NUMBOT_REQUIRE_ADMIN", "true"), "NUMBOT_REQUIRE_ADMIN"),
        contact=get("NUMBOT_CONTACT"),
        press_window_seconds=_int(get("NUMBOT_PRESS_WINDOW_SECONDS", "3"), "NUMBOT_PRESS_WINDOW_SECONDS", 0, 300),
        max_file_bytes=_int(get("NUMBOT_MAX_FILE_BYTES", "5000000"), "NUMBOT_MAX_FILE_BYTES", 1, 100_000_000),
        max_bulk_numbers=_int(get("NUMBOT_MAX_BULK_NUMBERS", "10000"), "NUMBOT_MAX_BULK_NUMBERS", 1, 100_000),
        bulk_concurrency=_int(get("NUMBOT_BULK_CONCURRENCY", "4"), "NUMBOT_BULK_CONCURRENCY", 1, 16),
        admin_roles=_list(get("NUMBOT_ADMIN_ROLES", ",".join(DEFAULT_ADMIN_ROLES))),
        allow_changes=_bool(get("NUMBOT_ALLOW_CHANGES", "false"), "NUMBOT_ALLOW_CHANGES"),
        confirm_seconds=_int(get("NUMBOT_CONFIRM_SECONDS", "600"), "NUMBOT_CONFIRM_SECONDS", 30, 86400),
        metrics=_bool(get("NUMBOT_METRICS", "on"), "NUMBOT_METRICS"),
        metrics_token=get("NUMBOT_METRICS_TOKEN"),
    )
