"""Sign-in for an unknown user takes as long as a wrong password: timing does not leak accounts."""

from __future__ import annotations

import json
import random
import statistics
import time

from tests.security.figures import FIGURES
from tests.support.api import PASSWORD, Api, unique_name
from tests.support.raw import RawResponse, send
from tests.support.server_process import ServerProcess

RUNS = 40
TOLERANCE = 0.20
FAILURES_PER_NAME = 4
FAILURES_PER_ADDRESS = 16


def timed_sign_in(url: str, username: str, source: str) -> tuple[float, RawResponse]:
    body = json.dumps({"username": username, "password": "wrong horse battery staple"})
    headers = {"Content-Type": "application/json"}
    started = time.perf_counter()
    response = send(url, "POST", "/sign-in", body.encode(), headers, source=source)
    return time.perf_counter() - started, response


def test_unknown_user_takes_as_long_as_a_wrong_password(
    module_server: ServerProcess, api: Api
) -> None:
    """Medians of interleaved runs; names and loopback source addresses are spread so that
    no attempt meets the sign-in throttle (five failures per name, twenty per address)."""
    known = [api.sign_up(unique_name("timed")) for _ in range(RUNS // FAILURES_PER_NAME)]
    assert api.sign_in(known[0], PASSWORD).access_token
    timings: dict[str, list[float]] = {"unknown": [], "wrong-password": []}
    bodies: set[bytes] = set()
    shuffle = random.Random(5)
    timed_sign_in(module_server.url, unique_name("warmup"), "127.0.0.9")
    for run in range(RUNS):
        source = f"127.0.0.{10 + 2 * run // FAILURES_PER_ADDRESS}"
        attempts = [
            ("unknown", unique_name("nobody")),
            ("wrong-password", known[run // FAILURES_PER_NAME]),
        ]
        shuffle.shuffle(attempts)
        for kind, username in attempts:
            elapsed, response = timed_sign_in(module_server.url, username, source)
            assert response.status_code == 401, response.text
            bodies.add(response.content)
            timings[kind].append(elapsed)
    assert len(bodies) == 1, "the two refusals must be indistinguishable"
    unknown = statistics.median(timings["unknown"])
    wrong = statistics.median(timings["wrong-password"])
    difference = (unknown - wrong) / wrong
    FIGURES.note(
        "sign-in timing (median of interleaved runs)",
        f"unknown user {unknown * 1000:.1f} ms vs wrong password {wrong * 1000:.1f} ms "
        f"({difference:+.1%}, {RUNS} runs each, limit ±{TOLERANCE:.0%})",
    )
    assert abs(difference) <= TOLERANCE, (unknown, wrong)
