"""The service app's access token: obtained once, shared, refreshed in time.

A service app's access token comes from the refresh-token grant. Every worker
thread and process shares one token through the store; one of them refreshes
it (under a lock) shortly before it expires or after Webex answers 401, and
the others pick up the result instead of refreshing again. Webex may rotate
the refresh token on a grant: the new one is persisted in the same store,
because the old one stops working.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import time
from typing import Callable, Optional

from webexpythonsdk.api.access_tokens import AccessTokensAPI
from webexpythonsdk.exceptions import ApiError
from webexpythonsdk.models.immutable import immutable_data_factory

from bot.config import ServiceAppCredentials
from bot.store import LockTimeout, Store

log = logging.getLogger(__name__)

STORE_KEY = "service_app_token"
LOCK_NAME = "service_app_token_refresh"


class TokenError(Exception):
    """No usable service app token; the message is safe to show and log."""


def _fingerprint(secret: str) -> str:
    """Identifies a refresh token in the store without storing it twice."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:16]


class ServiceAppTokens:
    def __init__(
        self,
        credentials: ServiceAppCredentials,
        api_url: str,
        store: Store,
        timeout: int = 30,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._credentials = credentials
        self._store = store
        self._clock = clock
        self._local = threading.Lock()
        self._grants = AccessTokensAPI(api_url.rstrip("/") + "/", immutable_data_factory, single_request_timeout=timeout)

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
        return self.refresh(stale=cached["access_token"] if cached else None)

    def refresh(self, stale: Optional[str]) -> str:
        """Refresh unless another worker already replaced ``stale``."""
        if not self.can_refresh:
            raise TokenError(
                "Webex refused the service app token (WEBEX_SERVICE_APP_TOKEN); "
                "it may have expired. Configure the refresh-token settings to renew it automatically."
            )
        try:
            with self._local, self._store.lock(LOCK_NAME):
                cached = self._current()
                if cached and cached["access_token"] != stale and not self._expiring(cached):
                    return cached["access_token"]
                return self._grant(cached)
        except LockTimeout:
            raise TokenError("Another worker is renewing the service app token and has not finished; try again.") from None

    def _current(self) -> Optional[dict]:
        stored = self._store.get_json(STORE_KEY)
        if not stored or stored.get("seed") != _fingerprint(self._credentials.refresh_token or ""):
            return None  # nothing yet, or the operator configured a new refresh token
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
            raise TokenError(
                f"Webex refused to renew the service app token ({error.status_code}); "
                "check the service app's client id, secret and refresh token."
            ) from None
        except Exception as error:  # network trouble: no detail that could hold a secret
            log.error("service app token refresh failed: %s", type(error).__name__)
            raise TokenError("Webex could not be reached to renew the service app token.") from None
        data = granted.json_data
        expires_in = float(data.get("expires_in") or 0)
        self._store.put_json(
            STORE_KEY,
            {
                "seed": _fingerprint(self._credentials.refresh_token or ""),
                "access_token": data["access_token"],
                "expires_in": expires_in,
                "expires_at": self._clock() + expires_in,
                "refresh_token": data.get("refresh_token") or refresh_token,
            },
        )
        rotated = bool(data.get("refresh_token")) and data.get("refresh_token") != refresh_token
        log.info("service app token refreshed (expires in %ss, refresh token rotated: %s)", int(expires_in), rotated)
        return data["access_token"]
