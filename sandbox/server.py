"""``SandboxServer``: the sandbox app on a loopback port, in a daemon thread."""
from __future__ import annotations

import threading
from typing import Any, Optional

from werkzeug.serving import BaseWSGIServer, make_server

from sandbox.api import create_app
from sandbox.state import Sandbox


class SandboxServer:
    """A real HTTP server that behaves like https://webexapis.com (under ``/v1``)."""

    def __init__(self, state: Optional[Sandbox] = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = state or Sandbox()
        self.host = host
        self.port = port
        self.app = create_app(self.state)
        self._server: Optional[BaseWSGIServer] = None
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return self.url + "/v1"

    def start(self) -> SandboxServer:
        self._server = make_server(self.host, self.port, self.app, threaded=True)
        self.port = self._server.server_port
        self.state.base_url = self.url
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="sandbox-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.state.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
