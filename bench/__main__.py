"""Benchmarks: parsing, card building, webhook acknowledgement and end-to-end reply time.

Everything runs on loopback against the sandbox, like the tests; figures depend on the machine,
so they are printed, never asserted. ``python -m bench --quick`` runs fewer rounds;
``python -m bench load`` is the load bench (``bench/load.py``).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import requests

import cards
from bot.core.config import ServiceAppCredentials, Settings
from bot.core.models import NumberCheck, NumberState, ValidationResult
from bot.reading.parsing import parse_numbers
from bot.web.app import create_app
from bot.web.signature import sign
from bot.web.webhooks import register_webhooks
from sandbox import SandboxServer, seed


def timed(fn: Callable[[], object], rounds: int) -> list[float]:
    """Milliseconds per call."""
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(f"{name:52} n={len(samples):4}  median {statistics.median(samples):8.2f} ms  p95 {p95:8.2f} ms"
          f"  max {ordered[-1]:8.2f} ms")


def bench_parsing(rounds: int) -> None:
    five_hundred = "\n".join(f"(214) 555-{i:04d}" for i in range(500))
    report("parse 500 US national numbers", timed(lambda: parse_numbers(five_hundred, "US"), rounds))
    junk = " ".join(["12x"] * 10_000)
    report("parse 10,000 junk tokens", timed(lambda: parse_numbers(junk, "US"), max(3, rounds // 5)))


def bench_cards(rounds: int) -> None:
    states = list(NumberState)
    result = ValidationResult(checks=tuple(
        NumberCheck(f"+1214555{i:04d}", f"+1214555{i:04d}", states[i % len(states)], i % 7 == 0,
                    ("[Error 8363] DN is in use",) if i % 5 == 1 else ())
        for i in range(500)))
    report("validation card, 500 rows", timed(lambda: cards.validation_card(result), rounds))
    report("validation markdown messages, 500 rows", timed(lambda: cards.validation_markdown(result), rounds))


def start_bot(server: SandboxServer, store: Path) -> str:
    import threading

    from werkzeug.serving import make_server

    settings = Settings(
        bot_token=seed.BOT_TOKEN, webhook_secret=seed.WEBHOOK_SECRET,
        service_app=ServiceAppCredentials(client_id=seed.SERVICE_APP_CLIENT_ID,
                                          client_secret=seed.SERVICE_APP_CLIENT_SECRET,
                                          refresh_token=seed.SERVICE_APP_REFRESH_TOKEN),
        api_url=server.api_url, org_id=seed.ORG_ID, store_url=f"sqlite:///{store}",
        allowed_domains=("example.com",),
    )
    http = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{http.server_port}"
    register_webhooks(settings, url)
    return url


def bench_webhook_ack(url: str, rounds: int) -> None:
    def one() -> None:
        body = json.dumps({"resource": "messages", "event": "created",
                           "data": {"id": f"bench-{uuid.uuid4()}"}}).encode()
        response = requests.post(url + "/webhook", data=body, timeout=10, headers={
            "Content-Type": "application/json", "X-Spark-Signature": sign(body, seed.WEBHOOK_SECRET)})
        response.raise_for_status()

    report("POST /webhook acknowledged (signature + durable job)", timed(one, rounds))


def bench_replies(server: SandboxServer, rounds: int) -> None:
    state = server.state
    room = state.direct_room(seed.ALICE)
    big = " ".join(f"+1214555{i:04d}" for i in range(500))

    def ask(text: str, count: int = 1) -> Callable[[], None]:
        def run() -> None:
            posted = state.say(seed.ALICE, text)
            state.wait_for_reply(room, posted["id"], timeout=60, count=count)
        return run

    report("reply: validate 1 number", timed(ask(f"validate {seed.AVAILABLE_US}"), rounds))
    report("reply: alternate numbers, first page of Dallas HQ", timed(ask("alternate numbers Dallas HQ"), rounds))
    report("reply: validate 500 numbers (5 batches)", timed(ask(f"validate {big}"), max(2, rounds // 5)))


def main() -> None:
    if sys.argv[1:2] == ["load"]:  # ./run bench load [options]: the load bench (bench/load.py)
        from bench import load

        load.main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args()
    rounds = 5 if args.quick else 30
    print(f"numbot benchmarks ({'quick' if args.quick else 'full'}), figures only")
    bench_parsing(rounds)
    bench_cards(rounds)
    with tempfile.TemporaryDirectory() as tmp, SandboxServer() as server:
        url = start_bot(server, Path(tmp) / "bench.db")
        bench_webhook_ack(url, rounds * 4)
        time.sleep(1)  # let the workers drain the synthetic events
        bench_replies(server, rounds)


if __name__ == "__main__":
    main()
