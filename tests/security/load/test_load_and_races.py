"""Fifty clients rotating at once and twenty-way races on single tokens: nothing lost or leaked."""

from __future__ import annotations

import threading

import pytest
import requests

from tests.security.figures import FIGURES
from tests.security.load.processes import resident_bytes, server_pid
from tests.security.load.rotation import Rotator, assert_no_session_lost, new_rotators, run_together
from tests.support.api import Api, unique_name
from tests.support.server_process import ServerProcess

pytestmark = pytest.mark.slow
CLIENTS = 50
ROUND_SECONDS = 15
RACES = 25
RACERS = 20
# Fifty sessions of one account signed in within seconds: a fleet, not a person.
SERVER_OPTIONS = ("--sign-ins-per-minute", "1000")
MEMORY_SLACK = 0.10
MEMORY_FLOOR = 8 << 20


@pytest.fixture(scope="module")
def account(api: Api) -> str:
    return api.sign_up(unique_name("load"))


def assert_sessions_kept(
    module_server: ServerProcess, account: str, rotators: list[Rotator]
) -> None:
    """Every rotator's session is active with the refresh count the client saw; then the
    database of the stopped server is intact, and the server is started again."""
    assert_no_session_lost(module_server, account, rotators)
    module_server.restart()


def test_fifty_clients_rotating_for_two_rounds_lose_nothing(
    module_server: ServerProcess, account: str
) -> None:
    """Two equal rounds: the second must not grow the server's memory beyond a little slack."""
    rotators = new_rotators(module_server.url, account, CLIENTS)
    pid = server_pid(module_server)
    run_together(rotators, ROUND_SECONDS)
    warm = resident_bytes(pid)
    run_together(rotators, ROUND_SECONDS)
    after = resident_bytes(pid)
    FIGURES.tally("refreshes under load (50 clients, 2 rounds)", sum(r.refreshes for r in rotators))
    FIGURES.note(
        "server memory across the second round",
        f"{warm / 2**20:.1f} MiB -> {after / 2**20:.1f} MiB resident",
    )
    assert [r.unexpected for r in rotators if r.unexpected] == []
    assert sum(r.unreachable for r in rotators) == 0
    assert all(r.refreshes > 0 for r in rotators)
    assert after <= warm + max(warm * MEMORY_SLACK, MEMORY_FLOOR), (warm, after)
    assert_sessions_kept(module_server, account, rotators)


def race(rotator: Rotator) -> list[requests.Response]:
    """RACERS simultaneous refreshes of the rotator's one current token."""
    barrier = threading.Barrier(RACERS)
    responses: list[requests.Response] = []
    lock = threading.Lock()

    def racer() -> None:
        http = requests.Session()
        barrier.wait()
        response = http.post(
            rotator.base_url + "/tokens/refresh",
            json={"refresh_token": rotator.refresh_token},
            timeout=30,
        )
        with lock:
            responses.append(response)

    threads = [threading.Thread(target=racer) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def test_twenty_way_races_on_single_tokens_keep_every_session(
    module_server: ServerProcess, account: str
) -> None:
    """Each race has one winner; the others are the predecessor within the grace and get the
    winner's token, so all twenty agree and the session goes on."""
    rotators = new_rotators(module_server.url, account, RACES)
    for rotator in rotators:
        responses = race(rotator)
        assert sorted({r.status_code for r in responses}) == [200], [r.text for r in responses]
        issued = {r.json()["refresh_token"] for r in responses}
        assert len(issued) == 1, issued
        assert issued != {rotator.refresh_token}
        rotator.refresh_token = issued.pop()
        rotator.refreshes = 1
        assert rotator.refresh_once(), rotator.unexpected
        FIGURES.tally("racing refreshes (20 at once on one token)", RACERS)
    assert_sessions_kept(module_server, account, rotators)
