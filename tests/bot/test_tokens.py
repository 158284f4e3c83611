"""The service app token against the sandbox's OAuth endpoint: obtained once and shared, a
refused grant remembered, the refresh token's end warned about."""
from __future__ import annotations

import dataclasses

from bot.core.config import ServiceAppCredentials, Settings
from bot.queue.store import Store
from bot.webex.tokens import ServiceAppTokens
from sandbox import Sandbox, seed


def tokens(settings: Settings, store: Store, **credentials: str) -> ServiceAppTokens:
    app = dataclasses.replace(settings.service_app, **credentials)
    return ServiceAppTokens(app, settings.api_url, store, retry_seconds=60)


def test_one_grant_serves_every_holder_of_the_store(settings: Settings, store: Store, state: Sandbox) -> None:
    first, second = tokens(settings, store), tokens(settings, store)
    assert first.token() == second.token()
    assert state.token_grants == 1


def test_a_refused_grant_is_remembered_and_names_the_setting(settings: Settings, store: Store,
                                                              state: Sandbox) -> None:
    wrong = tokens(settings, store, refresh_token="never-issued")
    for _ in range(3):
        health = wrong.health()
        assert health.problem and "WEBEX_SERVICE_APP_REFRESH_TOKEN" in health.problem
        assert "never-issued" not in health.problem
    assert len(state.calls("/v1/access_token")) == 1


def test_wrong_client_credentials_name_the_client_settings(settings: Settings, store: Store) -> None:
    health = tokens(settings, store, client_secret="nope").health()
    assert health.problem and "WEBEX_SERVICE_APP_CLIENT_SECRET" in health.problem


def test_the_refresh_tokens_end_is_read_and_warned_about(settings: Settings, store: Store, state: Sandbox) -> None:
    state.expire_refresh_token_in(3 * 86400)
    health = tokens(settings, store).health()
    assert health.problem is None and health.refresh_expires_at is not None
    assert health.warning is not None
    assert "expires in 2 day(s)" in health.warning or "expires in 3 day(s)" in health.warning


def test_a_ready_token_is_used_as_it_is(settings: Settings, store: Store, state: Sandbox) -> None:
    ready = ServiceAppTokens(ServiceAppCredentials(access_token=seed.SERVICE_APP_TOKEN), settings.api_url, store)
    assert ready.token() == seed.SERVICE_APP_TOKEN and ready.health().problem is None
    assert state.token_grants == 0
