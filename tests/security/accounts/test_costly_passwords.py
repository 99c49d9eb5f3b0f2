"""Passwords built to make the strength estimator slow cost little, and never stall other routes."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.security.figures import FIGURES
from tests.support.api import Api, unique_name

SUITE = "slowest /health during 8 costly sign-ups at once (ceiling 1 s)"
LOOK_ALIKES = "4@8({[<3691!|0$5+7%2"
SIGN_UPS = 8
CEILING = 1.0


def costly_password(number: int) -> str:
    """Look-alike substitutions, rotated so each is new to the estimator, then padding."""
    shifted = LOOK_ALIKES[number:] + LOOK_ALIKES[:number]
    return shifted + "x" * 51


def test_costly_sign_ups_leave_health_answering(start_server) -> None:
    api = Api(start_server().url)
    assert api.get("/health").status_code == 200

    def sign_up(number: int) -> int:
        body = {"username": unique_name("costly"), "password": costly_password(number)}
        return requests.post(f"{api.base_url}/sign-up", json=body, timeout=120).status_code

    latencies: list[float] = []
    with ThreadPoolExecutor(SIGN_UPS) as pool:
        sign_ups = [pool.submit(sign_up, number) for number in range(SIGN_UPS)]
        while not all(future.done() for future in sign_ups) or not latencies:
            started = time.perf_counter()
            assert requests.get(f"{api.base_url}/health", timeout=CEILING * 5).status_code == 200
            latencies.append(time.perf_counter() - started)
            time.sleep(0.02)
        statuses = [future.result() for future in sign_ups]
    FIGURES.note(SUITE, f"{max(latencies) * 1000:.0f} ms over {len(latencies)} calls")
    assert set(statuses) <= {201, 400}, statuses
    assert max(latencies) < CEILING, latencies
