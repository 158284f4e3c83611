"""The Webex client on its own, against the sandbox: posting exactly once, 429s shared and
capped, paging, and the shapes Webex answers in."""
from __future__ import annotations

import string
import time
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from webexpythonsdk.restsession import RestSession

from bot.core.models import Destination, Reply
from bot.webex.client import WebexClient
from bot.webex.errors import OutcomeUnknown, WebexBusy, WebexError
from bot.webex.ratelimit import wait_budget
from bot.webex.transport import api_url
from sandbox import Sandbox, seed

POSTS = r"^/v1/messages$"


def direct(state: Sandbox) -> Destination:
    asked = state.say(seed.ALICE, "hello")  # the message the reply answers
    return Destination(state.direct_room(seed.ALICE), "direct", None, asked["id"])


def bot_posts(state: Sandbox) -> list[int]:
    return [c.status for c in state.calls("/v1/messages", identity="bot", method="POST")]


def test_a_reply_created_before_webex_answered_502_is_found_not_posted_again(
        client: WebexClient, state: Sandbox) -> None:
    to = direct(state)
    state.inject_fault("POST", POSTS, 502, stage="after", who="bot")
    [posted] = client.send(to, Reply(markdown="**Number validation: OK**"))
    assert bot_posts(state) == [502]
    assert [m["id"] for m in state.messages_from_bot(to.room_id)] == [posted]


def test_a_reply_not_created_is_posted_after_a_look(client: WebexClient, state: Sandbox) -> None:
    to = direct(state)
    state.inject_fault("POST", POSTS, 503, who="bot")
    client.send(to, Reply(markdown="answer"))
    assert bot_posts(state) == [503, 200]
    assert len(state.messages_from_bot(to.room_id)) == 1


def test_an_older_identical_reply_does_not_count_as_this_one(client: WebexClient, state: Sandbox) -> None:
    earlier = direct(state)
    client.send(earlier, Reply(markdown="same answer"))
    to = direct(state)  # the admin asks the same again
    state.inject_fault("POST", POSTS, 503, who="bot")
    client.send(to, Reply(markdown="same answer"))
    assert len(state.messages_from_bot(to.room_id)) == 2


def test_a_retried_event_finds_its_reply_behind_more_than_a_page_of_newer_messages(
        client: WebexClient, state: Sandbox) -> None:
    # An event taken again after its worker died (look_first) in a busy 1:1 space: the reply the
    # dead worker posted is more than one page (List Messages' max) below the newest message.
    to = direct(state)
    [posted] = client.send(to, Reply(markdown="the first answer"))
    for n in range(WebexClient.FIND_PAGE_SIZE + 5):
        state.say(seed.ALICE, f"chatter {n}")
    assert client.send(to, Reply(markdown="the first answer"), look_first=True) == [posted]
    assert len(state.messages_from_bot(to.room_id)) == 1
    pages = state.calls("/v1/messages", identity="bot", method="GET")
    assert len(pages) == 2  # it paged once (beforeMessage) and stopped at its reply


def test_a_look_back_stops_at_the_message_answered(client: WebexClient, state: Sandbox) -> None:
    to = direct(state)
    for n in range(WebexClient.FIND_PAGE_SIZE * 2 + 5):
        state.say(seed.ALICE, f"chatter {n}")
    client.send(to, Reply(markdown="an answer"), look_first=True)
    assert len(state.messages_from_bot(to.room_id)) == 1
    assert len(state.calls("/v1/messages", identity="bot", method="GET")) == 3  # three pages reach it


def test_in_a_group_space_an_unknown_outcome_is_raised_not_posted_again(client: WebexClient, state: Sandbox) -> None:
    asked = state.say(seed.ALICE, "help", room="group")
    to = Destination(state.group_room_id, "group", None, asked["id"])
    state.inject_fault("POST", POSTS, 503, times=3, who="bot")
    with pytest.raises(OutcomeUnknown):
        client.send(to, Reply(markdown="answer"))
    assert bot_posts(state) == [503]


def test_a_connection_that_was_never_made_is_retried(make_client: Callable[..., WebexClient],
                                                      state: Sandbox) -> None:
    import requests

    from bot.webex.errors import never_sent

    refused = make_client(api_url="http://127.0.0.1:9/v1", max_retries=1)
    with pytest.raises(WebexError) as raised:
        refused.send(Destination("ROOM", "direct"), Reply(markdown="x"))
    assert "could not be reached" in str(raised.value)
    try:
        requests.post("http://127.0.0.1:9/", timeout=1)
    except requests.ConnectionError as error:
        assert never_sent(error)


def test_a_429_pauses_every_client_sharing_the_store(make_client: Callable[..., WebexClient],
                                                     state: Sandbox) -> None:
    first, second = make_client(), make_client()
    state.inject_fault("POST", "validateNumbers", 429, retry_after=1)
    first.validate_numbers([seed.AVAILABLE_US])
    started = time.monotonic()
    second.validate_numbers([seed.AVAILABLE_US])  # waits out the rest of the pause before calling
    calls = state.calls("validateNumbers")
    assert [c.status for c in calls] == [429, 200, 200]
    assert calls[2].time - calls[0].time >= 0.95
    assert time.monotonic() - started < 1.5


def test_a_wait_past_the_budget_is_webex_busy(client: WebexClient, state: Sandbox) -> None:
    state.inject_fault("POST", "validateNumbers", 429, retry_after=90)
    with wait_budget(5), pytest.raises(WebexBusy) as busy:
        client.validate_numbers([seed.AVAILABLE_US])
    assert busy.value.retry_after == 90
    assert len(state.calls("validateNumbers")) == 1


def test_calling_locations_follow_link_paging(client: WebexClient, state: Sandbox) -> None:
    state.add_locations(30, "Branch")
    found = client.calling_locations(limit=1000)
    assert len(found) == 36  # every calling location; Paris Office has no Webex Calling
    assert [loc.name for loc in found] == sorted(loc.name for loc in found)
    assert seed.PARIS not in {loc.name for loc in found}
    few = client.calling_locations(limit=5)
    assert len(few) == 5


def test_the_locations_api_lists_a_location_without_calling(client: WebexClient) -> None:
    assert client.location(seed.location_id(seed.PARIS)).name == seed.PARIS
    assert client.location(seed.location_id("Nowhere")) is None
    assert client.organisation_id() == seed.ORG_ID


@pytest.mark.parametrize("shape", ["live", "doc"])
def test_validate_reads_both_answer_shapes_in_the_order_sent(client: WebexClient, state: Sandbox, shape: str) -> None:
    state.validate_shape = shape
    sent = [seed.UNAVAILABLE, seed.AVAILABLE_US, seed.DUPLICATE_IN_USE]
    checks = client.validate_numbers(sent)
    assert [(c.phone_number, c.state.value) for c in checks] == [
        (seed.UNAVAILABLE, "Unavailable"), (seed.AVAILABLE_US, "Available"), (seed.DUPLICATE_IN_USE, "Duplicate")]
    assert all(c.detailed is (shape == "live") for c in checks)


def test_webhooks_are_listed_created_reactivated_and_deleted(client: WebexClient, state: Sandbox) -> None:
    hook = client.create_webhook("numbot messages", "http://127.0.0.1:9/webhook", "messages", "s3cret")
    assert hook.has_secret and hook.status == "active"
    state.webhooks[hook.id].status = "inactive"
    [listed] = client.webhooks()
    assert listed.status == "inactive"
    assert client.reactivate_webhook(listed, "s3cret").status == "active"
    client.delete_webhook(hook.id)
    assert client.webhooks() == []


def test_proxy_settings_are_read_from_the_environment_once_per_host(monkeypatch: pytest.MonkeyPatch) -> None:
    """requests' own answer (proxies, NO_PROXY, the CA bundle), asked once per scheme and host."""
    import requests

    from bot.webex.transport import read_environment_once

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    plain, once = requests.Session(), requests.Session()
    read_environment_once(once)
    for url in ("https://webexapis.com/v1/messages", "http://127.0.0.1:8901/v1/messages"):
        assert once.merge_environment_settings(url, {}, None, None, None) == \
            plain.merge_environment_settings(url, {}, None, None, None)

    first = once.merge_environment_settings("https://webexapis.com/v1/people/me", {}, None, None, None)
    first["proxies"].clear()  # a caller's change stays with that caller
    monkeypatch.setenv("HTTPS_PROXY", "http://other.example:8080")
    again = once.merge_environment_settings("https://webexapis.com/v1/rooms", {}, None, None, None)
    assert again["proxies"]["https"] == "http://proxy.example:3128"
    other_host = once.merge_environment_settings("https://analytics.webexapis.com/v1", {}, None, None, None)
    assert other_host["proxies"]["https"] == "http://other.example:8080"


def test_the_client_honours_no_proxy_and_reads_it_once(make_client: Callable[..., WebexClient],
                                                       state: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    client = make_client(max_retries=0)
    assert client.organisation_id() == seed.ORG_ID
    monkeypatch.delenv("NO_PROXY")  # the running process keeps what it read
    assert client.location(seed.location_id(seed.PARIS)).name == seed.PARIS


@pytest.fixture
def recorder():
    """A loopback HTTP/1.1 server that keeps each request's method, target, headers and body and
    answers 200 with a JSON body: what goes over the wire, whoever sent it."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: list[tuple] = []

    class Keep(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "11")
            self.end_headers()
            self.wfile.write(b'{"id": "x"}')

        do_GET = do_POST = do_PUT = do_DELETE = _any

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Keep)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/v1/", seen
    server.shutdown()
    server.server_close()


def test_an_api_call_sends_what_the_sdk_would_have_sent(recorder: tuple) -> None:
    """``send_direct`` skips requests' Session layer; the request on the wire is the one
    ``RestSession.request`` sends: headers, query (``None`` left out, lists repeated), body."""
    from webexpythonsdk.restsession import RestSession

    from bot.webex.transport import read_environment_once, send_direct

    base, seen = recorder
    rest = RestSession("bot-token", base, wait_on_rate_limit=False)
    read_environment_once(rest._req_session)
    calls = [
        ("GET", "people/me", {}),
        ("GET", "telephony/config/numbers", {"params": {"orgId": "O1", "max": 2, "gone": None, "n": ["+1", "+2"]}}),
        ("GET", "/v1/locations?max=1", {"params": {"orgId": "O1"}}),  # a path from the root, a query of its own
        ("POST", "messages", {"json": {"roomId": "R", "markdown": "é ✓", "attachments": [{"a": 1}]}}),
        ("PUT", "messages/M", {"json": {"markdown": "x"}, "headers": {"Authorization": "Bearer service-token"}}),
        ("DELETE", "webhooks/W", {}),
        ("POST", "messages", {"data": b"--b\r\nfile\r\n--b--\r\n",
                              "headers": {"Content-Type": "multipart/form-data; boundary=b"}}),
    ]
    for method, path, kwargs in calls:
        assert rest.request(method, path, 200, **kwargs).json() == {"id": "x"}
        assert send_direct(rest, method, path, 200, **kwargs).json() == {"id": "x"}
    for by_sdk, direct in zip(seen[::2], seen[1::2]):
        assert direct == by_sdk


def test_every_worker_and_its_presser_lookup_keep_their_connection(
        make_client: Callable[..., WebexClient], state: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    """Twice as many bot calls at once as there are workers (a worker's call and the presser
    lookup beside it) reuse kept connections: none is opened for one call and thrown away."""
    from concurrent.futures import ThreadPoolExecutor

    client = make_client(workers=8)
    person = state.person_by_email(seed.ALICE).id
    state.latency = 0.2  # every call in flight at once
    with ThreadPoolExecutor(16) as pool:
        found = list(pool.map(lambda _: client.person(person), range(16)))
    assert {p.email for p in found} == {seed.ALICE}
    assert not [r for r in caplog.records if "pool is full" in r.getMessage()]


def test_who_pressed_is_asked_once_then_kept_for_a_while(make_client: Callable[..., WebexClient],
                                                         state: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """Admins press one card after another: the presser is looked up once, not at every press,
    and asked again once ``PEOPLE_SECONDS`` have passed (a changed name shows then)."""
    monkeypatch.setattr("bot.webex.client.PEOPLE_SECONDS", 0.5)
    client = make_client()
    alice = state.person_by_email(seed.ALICE)
    first, again = client.person(alice.id), client.person(alice.id)
    assert first == again and first.email == seed.ALICE
    assert len(state.calls(f"/v1/people/{alice.id}", identity="bot")) == 1
    time.sleep(0.6)
    assert client.person(alice.id).email == seed.ALICE
    assert len(state.calls(f"/v1/people/{alice.id}", identity="bot")) == 2


@given(st.lists(st.text(alphabet=string.ascii_letters + string.digits + "-_.~%=:?&/", min_size=1, max_size=12),
                min_size=1, max_size=5).map("/".join),
       st.sampled_from(["https://webexapis.com/v1/", "http://127.0.0.1:8900/v1/", "https://webexapis.com/v1"]))
def test_an_api_path_is_joined_to_the_base_as_the_sdk_joins_it(path: str, base: str) -> None:
    rest = RestSession("token", base)
    assert api_url(rest, path) == rest.abs_url(path)


def test_a_plain_api_path_is_put_after_the_base() -> None:
    rest = RestSession("token", "https://webexapis.com/v1/")
    path = "telephony/config/locations/Y2lzY28%3D/autoAttendants/alternate/availableNumbers"
    assert api_url(rest, path) == "https://webexapis.com/v1/" + path == rest.abs_url(path)
