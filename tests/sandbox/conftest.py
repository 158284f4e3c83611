"""Fixtures: a sandbox on a free loopback port, a small API client, and a webhook receiver."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sandbox_testkit import Api, Received, Receiver
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from sandbox import SandboxServer


@pytest.fixture
def api(server: SandboxServer) -> Api:
    return Api(server.api_url)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    target = Receiver()

    @Request.application
    def app(request: Request) -> Response:
        target.received.append(Received(request.get_data(), dict(request.headers)))
        time.sleep(target.delay)
        return Response("ok", status=target.status)

    http = make_server("127.0.0.1", 0, app, threaded=True)
    target.url = f"http://127.0.0.1:{http.server_port}/webhook"
    thread = threading.Thread(target=http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield target
    http.shutdown()
    http.server_close()
