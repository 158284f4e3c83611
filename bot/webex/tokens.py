"""The service app's access token: obtained once, shared, refreshed in time.

A service app's access token comes from the refresh-token grant. Every worker
thread and process shares one token through the store; one of them refreshes
it (under a lock) shortly before it expires or after Webex answers 401, and
the others pick up the result instead of refreshing again. Webex may rotate
the refresh token on a grant: the new one is persisted in the same store,
because the old one stops working.

A refused grant is remembered for ``NUMBOT_TOKEN_RETRY_SECONDS``: until then
every event and every ``/readyz`` probe gets the same answer, naming the
setting to fix, without asking Webex again. Each grant also says how long the
refresh token itself has left (``refresh_token_expires_in``); from
``REFRESH_WARNING_DAYS`` before its end the bot warns in its log and
``/readyz`` reports itself degraded.
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Optional

from webexpythonsdk.api.access_tokens import AccessTokensAPI
from webexpythonsdk.exceptions import ApiError
from webexpythonsdk.models.immutable import immutable_data_factory

from bot.core import metrics
from bot.core.config import ServiceAppCredentials
from bot.queue.store import LockTimeout, Store

log = logging.getLogger(__name__)

STORE_KEY = "service_app_token"
FAILURE_KEY = "service_app_token_failure"
LOCK_NAME = "service_app_token_refresh"
# The refresh lock frees itself this long after its holder died (a process killed mid-grant), and
# a waiter waits longer than that, so a dead holder delays the others but never fails them: with
# the store's default (a 60 s lock, 30 s of waiting) every worker of the other instances gave up
# while a killed process's lock stood, and answered "try again" instead of the admin's request
# (tests/e2e/test_kills.py, killed at "called" while another worker of it held the lock).
# At least one grant request's timeout more than that, so that a live holder keeps it.
LOCK_TTL_SECONDS = 40.0
REFRESH_WARNING_DAYS = 14
NEW_REFRESH_TOKEN_HOW = (
    "have a full administrator authorise the service app again in Control Hub, take the new refresh "
    "token from the service app's page on developer.webex.com and set WEBEX_SERVICE_APP_REFRESH_TOKEN"
)


class TokenError(Exception):
    """No usable service app token; the message is safe to show and log."""


@dataclass(frozen=True)
class TokenHealth:
    """What ``/readyz`` and ``python -m bot check`` say about the service app token."""

    problem: Optional[str] = None  # set when no token can be had now
    refresh_expires_at: Optional[float] = None  # epoch seconds, when Webex said it
    warning: Optional[str] = None  # set when the refresh token ends soon


def _fingerprint(secret: str) -> str:
    """Identifies a refresh token in the store without storing it twice."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:16]


class ServiceAppTokens:
    KNOWN_SECONDS = 5.0  # see ``_current``

    def __init__(
        self,
        credentials: ServiceAppCredentials,
        api_url: str,
        store: Store,
        timeout: int = 30,
        clock: Callable[[], float] = time.time,
        retry_seconds: float = 60.0,
    ) -> None:
        self._credentials = credentials
        self._retry_seconds = retry_seconds
        self._store = store
        self._clock = clock
        self._lock_ttl = max(LOCK_TTL_SECONDS, timeout + 10.0)
        self._local = threading.Lock()
        self._seed = _fingerprint(credentials.refresh_token or "")
        self._known: Optional[tuple[Optional[dict], float]] = None  # (what the store held, read at (monotonic))
        self._grants = AccessTokensAPI(
            api_url.rstrip("/") + "/", immutable_data_factory, single_request_timeout=timeout
        )

    @property
    def can_refresh(self) -> bool:
        return self._credentials.can_refresh

    def token(self) -> str:
        """A token that is not about to expire."""
        if not self.can_refresh:
            assert self._credentials.access_token  # config guarantees one of the two
            return self._credentials.access_token
        cached = self._current()
        if cached and not self._expiring(cached):
            return cached["access_token"]
        self._raise_remembered_failure()
        return self.refresh(stale=cached["access_token"] if cached else None)

    def health(self) -> TokenHealth:
        """A token can be had (obtained once if none is held yet), and how long the refresh
        token has left; a remembered failure is reported without asking Webex again."""
        try:
            self.token()
        except TokenError as error:
            return TokenHealth(problem=str(error))
        cached = self._current() if self.can_refresh else None
        expires_at = (cached or {}).get("refresh_expires_at")
        if not isinstance(expires_at, (int, float)):
            return TokenHealth()
        return TokenHealth(refresh_expires_at=float(expires_at), warning=self._refresh_warning(float(expires_at)))

    def _refresh_warning(self, expires_at: float) -> Optional[str]:
        left = expires_at - self._clock()
        if left > REFRESH_WARNING_DAYS * 86400:
            return None
        when = time.strftime("%Y-%m-%d", time.gmtime(expires_at))
        days = max(0, int(left // 86400))
        return (f"the service app's refresh token expires in {days} day(s), on {when}: "
                f"before then, {NEW_REFRESH_TOKEN_HOW}")

    def _raise_remembered_failure(self) -> None:
        failure = self._store.get_json(FAILURE_KEY)
        if failure and float(failure.get("until", 0)) > self._clock():
            raise TokenError(str(failure.get("message") or "The service app token could not be renewed."))

    def _remember_failure(self, message: str) -> TokenError:
        self._store.put_json(FAILURE_KEY, {"until": self._clock() + self._retry_seconds, "message": message})
        return TokenError(message)

    def refresh(self, stale: Optional[str]) -> str:
        """Refresh unless another worker already replaced ``stale``."""
        if not self.can_refresh:
            raise TokenError(
                "Webex refused the service app token (WEBEX_SERVICE_APP_TOKEN); "
                "it may have expired. Configure the refresh-token settings to renew it automatically."
            )
        try:
            with self._local, self._store.lock(LOCK_NAME, wait_seconds=self._lock_ttl + 10.0,
                                               ttl_seconds=self._lock_ttl):
                cached = self._current(fresh=True)
                if cached and cached["access_token"] != stale and not self._expiring(cached):
                    return cached["access_token"]
                return self._grant(cached)
        except LockTimeout:
            raise TokenError(
                "Another worker is renewing the service app token and has not finished; try again."
            ) from None

    def _current(self, fresh: bool = False) -> Optional[dict]:
        """The token the store holds. Every service app call asks, so a process reads it at most
        once every ``KNOWN_SECONDS`` (unless ``fresh``) and otherwise goes by what it read last: a
        token another process renewed is taken up within that time (the one it replaced still
        works until it expires, and a 401 renews at once, reading the store afresh)."""
        known = self._known
        if not fresh and known is not None and time.monotonic() - known[1] < self.KNOWN_SECONDS:
            return known[0]
        stored = self._store.get_json(STORE_KEY)
        if not stored or stored.get("seed") != self._seed:
            stored = None  # nothing yet, or the operator configured a new refresh token
        self._known = (stored, time.monotonic())
        return stored

    def _expiring(self, cached: dict) -> bool:
        lifetime = float(cached.get("expires_in", 0))
        margin = min(300.0, lifetime * 0.1)
        return self._clock() >= float(cached.get("expires_at", 0)) - margin

    def _grant(self, cached: Optional[dict]) -> str:
        refresh_token = (cached or {}).get("refresh_token") or self._credentials.refresh_token
        assert self._credentials.client_id and self._credentials.client_secret and refresh_token
        try:
            granted = self._grants.refresh(
                self._credentials.client_id, self._credentials.client_secret, refresh_token
            )
        except ApiError as error:
            # ApiError's text holds no secret (the grant goes in a form body).
            log.error("service app token refresh failed: %s", error.error_message)
            metrics.token_refreshed("refused")
            raise self._remember_failure(_refusal(error)) from None
        except Exception as error:  # network trouble: no detail that could hold a secret
            log.error("service app token refresh failed: %s", type(error).__name__)
            metrics.token_refreshed("unreachable")
            raise self._remember_failure("Webex could not be reached to renew the service app token.") from None
        metrics.token_refreshed("ok")
        data = granted.json_data
        now = self._clock()
        expires_in = float(data.get("expires_in") or 0)
        stored = {
            "seed": self._seed,
            "access_token": data["access_token"],
            "expires_in": expires_in,
            "expires_at": now + expires_in,
            "refresh_token": data.get("refresh_token") or refresh_token,
        }
        with contextlib.suppress(KeyError, TypeError, ValueError):  # not said: nothing to warn about
            stored["refresh_expires_at"] = now + float(data["refresh_token_expires_in"])
        self._store.put_json(STORE_KEY, stored)
        self._known = (stored, time.monotonic())
        self._store.delete_json(FAILURE_KEY)
        rotated = bool(data.get("refresh_token")) and data.get("refresh_token") != refresh_token
        log.info("service app token refreshed (expires in %ss, refresh token rotated: %s)", int(expires_in), rotated)
        if "refresh_expires_at" in stored:
            warning = self._refresh_warning(stored["refresh_expires_at"])
            if warning:
                log.warning("%s", warning)
        return data["access_token"]


def _refusal(error: ApiError) -> str:
    """Which setting a refused grant points at: Webex answers 401 or ``invalid_client`` for a
    wrong client id or secret, 400 ``invalid_grant`` for a refresh token that is wrong, expired
    or revoked (OAuth 2.0, RFC 6749 section 5.2)."""
    said = f"{error.status_code} {error.error_message or ''}".lower()
    if error.status_code == 401 or "invalid_client" in said:
        return (f"Webex refused the service app's client credentials ({error.status_code}): check "
                "WEBEX_SERVICE_APP_CLIENT_ID and WEBEX_SERVICE_APP_CLIENT_SECRET.")
    return (f"Webex refused to renew the service app token with WEBEX_SERVICE_APP_REFRESH_TOKEN "
            f"({error.status_code}); it may be wrong, expired or revoked: {NEW_REFRESH_TOKEN_HOW}.")
