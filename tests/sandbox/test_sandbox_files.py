"""Files in messages: posted as multipart/form-data, read back at GET/HEAD /v1/contents/{id}."""
from __future__ import annotations

import json
import time

import pytest
from requests_toolbelt import MultipartEncoder
from sandbox_testkit import assert_webex_error
from webexpythonsdk import WebexAPI

from sandbox import seed
from sandbox.ids import decode_id

CSV = b"+12145557861\n+12145557862\n"
CARD = [{"contentType": "application/vnd.microsoft.card.adaptive",
         "content": {"type": "AdaptiveCard", "version": "1.3", "body": []}}]


def content_id(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def test_alice_posts_a_file_and_its_message_links_it(state):
    message = state.upload(seed.ALICE, "direct", "numbers.csv", CSV, "text/csv", text="please check")
    assert message["text"] == "please check"
    (url,) = message["files"]
    assert url.startswith(f"{state.base_url}/v1/contents/")
    assert decode_id(content_id(url)).startswith("ciscospark://us/CONTENT/")
    assert "=" not in content_id(url)
    assert state.file_of(message["id"]) == ("numbers.csv", CSV, "text/csv")
    assert state.file_of(url) == state.file_of(content_id(url)) == ("numbers.csv", CSV, "text/csv")


def test_the_file_downloads_with_its_name_type_and_size(api, state):
    message = state.upload(seed.ALICE, "direct", "numbers.csv", CSV, "text/csv")
    got = api.get(message["files"][0])  # the bot: a member of the direct room
    assert got.status_code == 200
    assert got.content == CSV
    assert got.headers["Content-Type"].startswith("text/csv")
    assert got.headers["Content-Length"] == str(len(CSV))
    assert got.headers["Content-Disposition"] == 'attachment; filename="numbers.csv"'
    head = api.call("HEAD", message["files"][0])
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Length"] == str(len(CSV))
    assert head.headers["Content-Disposition"] == 'attachment; filename="numbers.csv"'
    assert api.get(message["files"][0], who=seed.ALICE).content == CSV


def test_a_non_ascii_name_is_also_given_as_filename_star(api, state):
    message = state.upload(seed.ALICE, "direct", "numéros.csv", CSV, "text/csv")
    disposition = api.get(message["files"][0]).headers["Content-Disposition"]
    assert disposition == "attachment; filename=\"num?ros.csv\"; filename*=UTF-8''num%C3%A9ros.csv"


def test_a_file_only_message_needs_no_text(api, state):
    message = state.upload(seed.ALICE, "direct", "numbers.csv", CSV, "text/csv")
    assert message["text"] == "" and "markdown" not in message
    assert api.get(f"messages/{message['id']}").json()["files"] == message["files"]


def test_only_members_of_the_room_read_the_file(api, state):
    message = state.upload(seed.ALICE, "direct", "numbers.csv", CSV, "text/csv")
    url = message["files"][0]
    assert_webex_error(api.get(url, who=seed.BOB), 404)
    head = api.call("HEAD", url, who=seed.BOB)
    assert head.status_code == 404 and head.content == b"" and head.headers["TrackingID"].startswith("ROUTER_")
    assert_webex_error(api.get(url, who="service"), 404)
    assert_webex_error(api.get(url, who=None), 401)
    assert_webex_error(api.get(url, who="not-a-token"), 401)
    assert_webex_error(api.get("contents/nope"), 404)


def test_in_the_group_space_every_member_and_the_bot_read_it(api, state):
    message = state.upload(seed.ALICE, "group", "numbers.csv", CSV, "text/csv", text="check these")
    assert message["mentionedPeople"] == [state.bot.id]  # as say: the bot hears only its mentions
    assert message["text"] == "Numbot 2000 check these"
    for who in ("bot", seed.LOU, seed.ALICE):
        assert api.get(message["files"][0], who=who).content == CSV


def test_the_webhook_fires_for_a_file_message(api, state, receiver):
    body = {"name": "m", "targetUrl": receiver.url, "resource": "messages", "event": "created"}
    assert api.post("webhooks", json=body).status_code == 200
    message = state.upload(seed.ALICE, "direct", "numbers.csv", CSV, "text/csv")
    assert state.wait_for_deliveries()
    (received,) = receiver.received
    assert json.loads(received.body)["data"]["id"] == message["id"]


def test_webexpythonsdk_posts_a_local_file(server, state, tmp_path):
    path = tmp_path / "numbers.csv"
    path.write_bytes(CSV)
    webex = WebexAPI(access_token=seed.PERSON_TOKENS[seed.ALICE], base_url=server.api_url + "/")
    sent = webex.messages.create(roomId=state.direct_room(seed.ALICE), text="the file", files=[str(path)])
    assert sent.text == "the file" and len(sent.files) == 1
    assert state.file_of(sent.id) == ("numbers.csv", CSV, "text/csv")


def test_the_multipart_message_as_the_attachments_guide_builds_it(api, state):
    encoder = MultipartEncoder({"roomId": state.direct_room(seed.ALICE), "markdown": "**the** file",
                                "files": ("numbers.csv", CSV, "text/csv")})
    posted = api.post("messages", who=seed.ALICE, data=encoder, headers={"Content-Type": encoder.content_type})
    assert posted.status_code == 200, posted.text
    assert posted.json()["markdown"] == "**the** file" and posted.json()["text"] == "the file"


def test_a_reply_in_a_thread_can_carry_a_file(state):
    top = state.say(seed.ALICE, "validate")
    reply = state.upload(seed.ALICE, "direct", "numbers.csv", CSV, "text/csv", parent_id=top["id"])
    assert reply["parentId"] == top["id"] and reply["files"]


def test_one_file_per_message_and_no_card_with_a_file(api, state):
    room = state.direct_room(seed.ALICE)
    two = [("files", ("a.csv", CSV, "text/csv")), ("files", ("b.csv", CSV, "text/csv"))]
    body = assert_webex_error(api.post("messages", who=seed.ALICE, data={"roomId": room}, files=two), 400)
    assert body["message"] == "Only one file per message."
    with_card = {"roomId": room, "text": "x", "attachments": json.dumps(CARD)}
    assert_webex_error(api.post("messages", who=seed.ALICE, data=with_card,
                                files={"files": ("a.csv", CSV, "text/csv")}), 400)
    assert_webex_error(api.post("messages", who=seed.ALICE, data={"text": "no room"},
                                files={"files": ("a.csv", CSV, "text/csv")}), 400)
    assert_webex_error(api.post("messages", who=seed.ALICE, data={"roomId": room, "text": "x" * 7440},
                                files={"files": ("a.csv", CSV, "text/csv")}), 400)
    assert not state.files


def test_public_urls_in_a_json_body_are_not_fetched(api, state):
    room = state.direct_room(seed.ALICE)
    url = {"roomId": room, "text": "x", "files": ["https://example.com/numbers.csv"]}
    body = assert_webex_error(api.post("messages", who=seed.ALICE, json=url), 400)
    assert "multipart/form-data" in body["message"]
    assert_webex_error(api.post("messages", who=seed.ALICE, json={**url, "files": "numbers.csv"}), 400)
    empty = api.post("messages", who=seed.ALICE, json={"roomId": room, "text": "x", "files": []})
    assert empty.status_code == 200 and "files" not in empty.json()


def test_a_file_over_max_file_bytes_is_refused(api, state):
    assert state.max_file_bytes == 100 * 1024 * 1024
    state.max_file_bytes = 10
    room = state.direct_room(seed.ALICE)
    body = assert_webex_error(api.post("messages", who=seed.ALICE, data={"roomId": room},
                                       files={"files": ("big.csv", b"x" * 11, "text/csv")}), 400)
    assert "too large" in body["message"]
    assert api.post("messages", who=seed.ALICE, data={"roomId": room},
                    files={"files": ("ok.csv", b"x" * 10, "text/csv")}).status_code == 200


def test_while_the_file_is_scanned_downloads_answer_423_with_retry_after(api, state):
    state.file_scan_seconds = 0.6
    message = state.upload(seed.ALICE, "direct", "numbers.csv", CSV, "text/csv")
    url = message["files"][0]
    locked = api.get(url)
    assert_webex_error(locked, 423)
    assert locked.headers["Retry-After"] == "1"
    head = api.call("HEAD", url)
    assert head.status_code == 423 and head.headers["Retry-After"] == "1" and head.content == b""
    time.sleep(0.7)
    assert api.get(url).content == CSV


def test_an_unscannable_file_needs_allow_unscannable(api, state):
    message = state.upload(seed.ALICE, "direct", "secret.zip", b"PK\x03\x04", "application/zip")
    state.mark_unscannable(message["id"])
    url = message["files"][0]
    body = assert_webex_error(api.get(url), 428)
    assert "cannot be scanned" in body["message"]
    assert api.call("HEAD", url).status_code == 428
    forced = api.get(url, params={"allow": "unscannable"})
    assert forced.status_code == 200 and forced.content == b"PK\x03\x04"


def test_a_deleted_message_takes_its_file_with_it(api, state):
    message = state.upload(seed.ALICE, "direct", "numbers.csv", CSV, "text/csv")
    assert api.delete(f"messages/{message['id']}", who=seed.ALICE).status_code == 204
    assert_webex_error(api.get(message["files"][0]), 404)
    with pytest.raises(KeyError):
        state.file_of(message["files"][0])


def test_every_call_is_logged_and_a_file_by_its_name_and_size(api, state):
    message = state.upload(seed.ALICE, "direct", "numbers.csv", CSV, "text/csv", text="hi")
    api.call("HEAD", message["files"][0])
    api.get(message["files"][0])
    api.get(message["files"][0], who=seed.BOB)
    (post,) = state.calls("/v1/messages", method="POST")
    assert post.identity == f"person:{seed.ALICE}" and post.status == 200
    assert post.json == {"roomId": state.direct_room(seed.ALICE), "text": "hi",
                         "files": [{"filename": "numbers.csv", "contentType": "text/csv", "size": len(CSV)}]}
    reads = state.calls("/v1/contents/")
    assert [(c.method, c.identity, c.status) for c in reads] == [
        ("HEAD", "bot", 200), ("GET", "bot", 200), ("GET", f"person:{seed.BOB}", 404)]
    assert all(c.path == f"/v1/contents/{content_id(message['files'][0])}" for c in reads)
    assert "+1214555" not in repr(state.requests)  # the bytes are not logged


def test_faults_apply_to_file_reads(api, state):
    message = state.upload(seed.ALICE, "direct", "numbers.csv", CSV, "text/csv")
    state.inject_fault("GET", "/v1/contents/", status=429, retry_after=2)
    limited = api.get(message["files"][0])
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "2"
    assert api.get(message["files"][0]).status_code == 200
