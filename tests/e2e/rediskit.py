"""A real ``redis-server`` (Debian's, installed by ``./run test``) on a free loopback port, which a
test can stop and start again on the same data (append-only file on, as a deployment that must
keep acknowledged events across a Redis restart runs it)."""
from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Optional

import redis
from botkit import free_port

REDIS = shutil.which("redis-server")


class RedisServer:
    def __init__(self, directory: Path, persistent: bool = False) -> None:
        assert REDIS is not None
        self.directory = directory
        self.port = free_port()
        self.persistent = persistent
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: Optional[subprocess.Popen] = None
        self.start()

    def start(self) -> None:
        # appendonly yes + appendfsync always: every acknowledged write is on disk before Redis
        # answers (redis.io, "Redis persistence"); a SIGTERM'd server also writes it all out.
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.persistent else ["--appendonly", "no"]
        self.process = subprocess.Popen(
            [str(REDIS), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", *persistence,
             "--dir", str(self.directory)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except (redis.ConnectionError, redis.BusyLoadingError):
                if time.monotonic() > deadline:
                    self.process.kill()
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM: Redis writes its append-only file out and exits, as a restart by an operator does."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None
