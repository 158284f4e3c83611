"""``python -m bot check [--fix]``: is this deployment healthy? One line per check.

What an operator runs after deploying, and first when "the bot does not answer": the bot token,
the service app token and its refresh token's remaining life, the telephony APIs with that token,
the organisation it acts on, the webhook secret, and the bot's two webhooks (present, pointing at
``NUMBOT_PUBLIC_URL``, signed, active). Webex disables a webhook after repeated failed deliveries
(the Webhooks API's ``status``: "Use active to reactivate a disabled webhook"); ``--fix``
registers missing webhooks and reactivates disabled ones. Secrets are never printed.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Optional

from bot.core.config import Settings
from bot.core.ids import key_of
from bot.web.webhooks import NAMES, webhook_target
from bot.webex.answers import Webhook
from bot.webex.client import WebexClient
from bot.webex.errors import WebexError


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str  # what was found; for a failure, also what to do

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.name}: {self.detail}"


def _said(error: WebexError) -> str:
    tracking = f", trackingId {error.info.tracking_id}" if error.info.tracking_id else ""
    return f"Webex answered {error.status_code or 'nothing'}: {error.info.message}{tracking}"


def check_bot_token(client: WebexClient, settings: Settings) -> Check:
    try:
        me = client.me()
    except WebexError as error:
        return Check("bot token", False, f"{_said(error)}. Check WEBEX_BOT_TOKEN (the bot's access token "
                                         "from developer.webex.com; regenerate it there if it was revoked).")
    return Check("bot token", True, f"{me.display_name} <{me.email}>")


def check_service_app(client: WebexClient, settings: Settings) -> Check:
    health = client.tokens.health()
    if health.problem:
        return Check("service app token", False, health.problem)
    if health.refresh_expires_at is None:
        how = ("a ready token (WEBEX_SERVICE_APP_TOKEN): it cannot be renewed, set the refresh-token settings "
               "so the bot renews it") if not client.tokens.can_refresh else "obtained"
        return Check("service app token", True, how)
    days = int((health.refresh_expires_at - time.time()) // 86400)
    until = time.strftime("%Y-%m-%d", time.gmtime(health.refresh_expires_at))
    detail = f"obtained; the refresh token is valid for {days} more day(s), until {until}"
    if health.warning:
        detail += f". Soon: {health.warning}"
    return Check("service app token", True, detail)


def check_telephony(client: WebexClient, settings: Settings) -> Check:
    try:
        found = client.calling_locations(limit=1000)
    except WebexError as error:
        return Check("telephony API", False, f"{_said(error)}. The service app needs the scopes "
                                              "spark-admin:telephony_config_read and _write, authorised by a full "
                                              "administrator of the organisation.")
    return Check("telephony API", True, f"{len(found)} Webex Calling location(s) readable"
                                        + (" (1000 or more)" if len(found) >= 1000 else ""))


def check_organisation(client: WebexClient, settings: Settings) -> Check:
    if settings.org_id:
        return Check("organisation", True, f"WEBEX_ORG_ID {settings.org_id} ({key_of(settings.org_id)})")
    try:
        org_id = client.organisation_id()
    except WebexError as error:
        return Check("organisation", False, f"{_said(error)}. The service app needs spark-admin:locations_read.")
    if not org_id:
        return Check("organisation", True, "the service app's own (it sees no location to tell which)")
    return Check("organisation", True, f"{org_id} ({key_of(org_id)}), the service app's own")


def check_secret(client: WebexClient, settings: Settings) -> Check:
    if settings.webhook_secret:
        return Check("webhook secret", True, "set; every delivery's X-Spark-Signature is checked")
    return Check("webhook secret", False, "not set (NUMBOT_INSECURE_NO_SIGNATURE=true): anyone who finds the URL can "
                                          "post events. Set WEBEX_WEBHOOK_SECRET and run check --fix.")


def check_webhooks(client: WebexClient, settings: Settings, fix: bool) -> list[Check]:
    if not settings.public_url:
        return [Check("webhooks", False, "NUMBOT_PUBLIC_URL is not set, so I cannot tell where they should point. "
                                         "Set it to the bot's public base URL, e.g. https://numbot.example.com.")]
    try:
        hooks = client.webhooks()
    except WebexError as error:
        return [Check("webhooks", False, f"{_said(error)}. Check WEBEX_BOT_TOKEN.")]
    target = webhook_target(settings.public_url)
    return [_check_webhook(client, settings, resource, name, target, hooks, fix) for resource, name in NAMES.items()]


def _check_webhook(client: WebexClient, settings: Settings, resource: str, name: str, target: str,
                   hooks: list[Webhook], fix: bool) -> Check:
    label = f"webhook {resource}"
    mine = [h for h in hooks if h.resource == resource and h.event in ("created", "all")
            and (h.name == name or h.target_url == target)]
    hook = next((h for h in mine if h.target_url == target), mine[0] if mine else None)
    problem = _webhook_problem(hook, target, settings)
    if problem is None:
        assert hook is not None
        return Check(label, True, f"{hook.target_url}, signed, active")
    if not fix:
        return Check(label, False, f"{problem}. Run: python -m bot check --fix")
    try:
        if hook is not None and problem.startswith("disabled") and hook.target_url == target:
            fixed = client.reactivate_webhook(hook, settings.webhook_secret)
            done = "reactivated"
        else:
            if hook is not None:
                client.delete_webhook(hook.id)
            fixed = client.create_webhook(name, target, resource, settings.webhook_secret)
            done = "registered"
    except WebexError as error:
        return Check(label, False, f"{problem}; fixing it failed: {_said(error)}")
    still = _webhook_problem(fixed, target, settings)
    if still is not None:
        return Check(label, False, f"{problem}; {done}, but {still}")
    return Check(label, True, f"{problem}: {done} ({fixed.target_url}, signed, active)")


def _webhook_problem(hook: Optional[Webhook], target: str, settings: Settings) -> Optional[str]:
    if hook is None:
        return "missing"
    if hook.target_url != target:
        return f"points at {hook.target_url}, not {target}"
    if settings.webhook_secret and not hook.has_secret:
        return "has no secret, so its deliveries are refused"
    if hook.status != "active":
        return f"disabled by Webex (status {hook.status}) after failed deliveries"
    return None


CHECKS: tuple[Callable[[WebexClient, Settings], Check], ...] = (
    check_bot_token, check_service_app, check_telephony, check_organisation, check_secret,
)


def run_checks(client: WebexClient, settings: Settings, fix: bool = False) -> list[Check]:
    results = [check(client, settings) for check in CHECKS]
    return results + check_webhooks(client, settings, fix)
