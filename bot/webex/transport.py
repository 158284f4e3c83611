"""How a Webex call goes over the wire, at a fraction of requests' CPU per call.

The bot makes about three Webex calls per event, and under load requests' per-call work (the
Session layer, proxy lookups in the environment, pool lookups, cookie extraction) was a large
share of its CPU (py-spy and cProfile on the load bench; the figures are in each docstring). What
is here keeps requests' adapters, pools, TLS and exceptions and webexpythonsdk's error checking,
and skips only what a bearer-token JSON API never needs. Retries, 429 pauses and token renewal
are the client's (``bot.webex.client``); this module sends one request and records it.
"""
from __future__ import annotations

import contextvars
import re
import time
from json import dumps as to_json
from typing import Any, Optional
from urllib.parse import urlencode, urlsplit

import requests
from requests.structures import CaseInsensitiveDict
from webexpythonsdk.restsession import RestSession
from webexpythonsdk.utils import check_response_code

from bot.core import metrics
from bot.webex.errors import ListBodyError

# Webex calls made while handling the current event, for the structured log.
calls_made: contextvars.ContextVar[Optional[list]] = contextvars.ContextVar("calls_made", default=None)


def record_call(method: str, path: str, status: Optional[int], tracking_id: Optional[str], started: float) -> None:
    metrics.webex_call(method, path, status, time.monotonic() - started)
    records = calls_made.get()
    if records is not None:
        records.append(
            {
                "call": f"{method} {path}",
                "status": status,
                "trackingId": tracking_id,
                "ms": round((time.monotonic() - started) * 1000),
            }
        )


def read_environment_once(session: requests.Session) -> None:
    """Have ``session`` read the proxy and CA bundle variables once per host, not per call.

    requests asks ``os.environ`` for proxies (and matches ``NO_PROXY`` against the URL) on every
    request: a tenth of the bot's CPU under load (py-spy on the load bench, Webex answering at
    once). A running process's environment does not change, so the answer for a scheme and host
    is kept; it is requests' own answer, so ``HTTPS_PROXY``, ``NO_PROXY`` and
    ``REQUESTS_CA_BUNDLE`` keep working as requests documents them."""
    merge = session.merge_environment_settings
    answers: dict[tuple, dict] = {}

    def merge_environment_settings(url: str, proxies: Any, stream: Any, verify: Any, cert: Any) -> dict:
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc, tuple(sorted((proxies or {}).items())), stream, verify,
               cert if not isinstance(cert, list) else tuple(cert))
        answer = answers.get(key)
        if answer is None:
            answer = answers[key] = merge(url, proxies, stream, verify, cert)
        return {**answer, "proxies": dict(answer["proxies"])}

    session.merge_environment_settings = merge_environment_settings  # type: ignore[method-assign]


class ApiAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter without two pieces of per-call work that a Webex API call does not need,
    through the two methods requests exposes for subclasses:

    - the connection pool for a host and TLS settings is looked up once, not rebuilt into a
      pool key and found again at every call (``get_connection_with_tls_context``); a pool that
      urllib3's pool manager has closed meanwhile is looked up afresh;
    - the answer is not searched for cookies (``build_response``): Webex authenticates with
      bearer tokens, and the bot keeps no cookie jar.

    Both showed per call in a profile of 2,000 GETs on loopback (cProfile: the pool lookup alone
    was a tenth of ``send_direct``'s time), and the bot makes three calls an event."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pools: dict[tuple, Any] = {}

    def get_connection_with_tls_context(self, request: requests.PreparedRequest, verify: Any,
                                        proxies: Optional[dict] = None, cert: Any = None) -> Any:
        parts = urlsplit(str(request.url))
        key = (parts.scheme, parts.netloc, verify, cert if not isinstance(cert, list) else tuple(cert),
               tuple(sorted((proxies or {}).items())))
        pool = self._pools.get(key)
        if pool is None or pool.pool is None:  # urllib3 sets ``pool`` to None when it closes one
            pool = self._pools[key] = super().get_connection_with_tls_context(request, verify, proxies, cert)
        return pool

    def build_response(self, req: requests.PreparedRequest, resp: Any) -> requests.Response:
        response = requests.Response()  # as requests builds it, without extract_cookies_to_jar
        response.status_code = getattr(resp, "status", None)  # type: ignore[assignment]
        response.headers = CaseInsensitiveDict(getattr(resp, "headers", {}))
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        response.raw = resp
        response.reason = resp.reason
        response.url = req.url.decode("utf-8") if isinstance(req.url, bytes) else str(req.url)
        response.request = req
        response.connection = self
        return response


def keep_connections(session: requests.Session, connections: int) -> None:
    """Send through :class:`ApiAdapter`, keeping up to ``connections`` open connections per host
    (requests keeps 10): past that, urllib3 opens a connection for the call and throws it away
    after, with a warning each time ("Connection pool is full, discarding connection"). The
    adapters otherwise keep requests' defaults (no retries of their own: ``WebexClient._request``
    retries)."""
    size = max(connections, requests.adapters.DEFAULT_POOLSIZE)
    for prefix in ("https://", "http://"):
        session.mount(prefix, ApiAdapter(pool_maxsize=size))


# A path urljoin leaves as it is: segments of unreserved or percent-encoded characters, none
# starting with "." (so no "." or ".." to resolve), no query, no scheme.
_PLAIN_PATH = re.compile(r"[\w~%=-][\w.~%=-]*(?:/[\w~%=-][\w.~%=-]*)*", re.ASCII)


def api_url(rest: RestSession, path: str) -> str:
    """``rest.abs_url(path)`` (urljoin onto the base URL) without parsing both at every call: a
    plain path under a base ending in "/" is the two put together."""
    base = rest.base_url
    if base.endswith("/") and _PLAIN_PATH.fullmatch(path):
        return base + path
    return rest.abs_url(path)


def send_direct(rest: RestSession, method: str, path: str, erc: int, *, headers: Optional[dict] = None,
                params: Optional[dict] = None, json: Any = None, data: Optional[bytes] = None,
                **rest_kwargs: Any) -> requests.Response:
    """``rest.request(method, path, erc, ...)``, for an API path, at 0.6 of its CPU.

    requests' Session layer (merging settings, hooks and cookie jars into a fresh request, then
    looking for redirects and cookies in the answer) is two thirds of its CPU per call, 0.2 ms of
    a 0.55 ms GET on loopback (``time.thread_time`` around each, 400 calls): a tenth of the bot's
    CPU per event when Webex answers at once. A Webex API call needs none of it: bearer tokens,
    not cookies; JSON answers, not redirects. So the request is prepared here with what the
    session would have put in it (its headers, the JSON or bytes body and their length, the
    query without ``None`` values, as requests encodes it) and sent through the session's own
    adapter with its environment (proxies, CA bundle: ``read_environment_once``), which keeps
    requests' pools, TLS and exceptions; the answer is checked by webexpythonsdk's own
    ``check_response_code``, so errors are the ``ApiError``/``RateLimitError`` the SDK raises.
    Anything else (a URL Webex gave: the next page, a file; a streamed download) takes the
    session's whole way, redirects included."""
    if rest_kwargs or "://" in path:
        return rest.request(method, path, erc, headers=headers, params=params, json=json, data=data,
                            **rest_kwargs)
    session = rest._req_session  # the SDK's requests.Session; no public handle
    url = api_url(rest, path)
    query = [(key, value) for key, value in (params or {}).items() if value is not None]
    if query:
        url += ("&" if "?" in url else "?") + urlencode(query, doseq=True)
    sent_headers = CaseInsensitiveDict(session.headers)
    if headers:
        sent_headers.update(headers)
    body = data
    if json is not None:
        body = to_json(json, allow_nan=False).encode()  # as requests encodes ``json=``
        sent_headers.setdefault("Content-Type", "application/json")
    if body is not None:
        sent_headers["Content-Length"] = str(len(body))  # else requests' adapter sends it chunked
    elif method not in ("GET", "HEAD"):
        sent_headers["Content-Length"] = "0"
    prepared = requests.PreparedRequest()
    prepared.method, prepared.url, prepared.headers, prepared.body = method, url, sent_headers, body
    prepared.hooks = {"response": []}
    environment = session.merge_environment_settings(url, {}, None, None, None)
    response = session.get_adapter(url).send(prepared, timeout=rest.single_request_timeout, **environment)
    if 200 <= response.status_code < 300 and 200 <= erc < 300:
        return response  # a 200 where the page says 201 or 204 is a success all the same
    if response.status_code != 429 and _json_list(response):
        raise ListBodyError(response)
    check_response_code(response, erc)
    return response


def _json_list(response: requests.Response) -> bool:
    if "application/json" not in response.headers.get("Content-Type", "").lower():
        return False
    try:
        return isinstance(response.json(), list)
    except ValueError:
        return False
