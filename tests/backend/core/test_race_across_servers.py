"""One refresh token raced through two servers of one store: one successor, one chain."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from tests.support.api import Api, tokens_of
from tests.support.server_process import StartServer
from tests.support.stores import both_stores

pytestmark = both_stores
RACERS = 20
ROUNDS = 5


def race(urls: list[str], token: str) -> list[tuple[int, str]]:
    """RACERS refreshes of `token` released at once, alternating between the servers."""
    start = threading.Barrier(RACERS)

    def refresh(api: Api) -> tuple[int, str]:
        start.wait()
        response = api.refresh(token)
        return response.status_code, response.json().get("refresh_token", "")

    with ThreadPoolExecutor(RACERS) as pool:
        return list(pool.map(refresh, [Api(urls[n % len(urls)]) for n in range(RACERS)]))


def test_twenty_refreshes_racing_over_two_servers_all_get_the_one_successor(
    start_server: StartServer,
) -> None:
    first = start_server("--issuer", "http://127.0.0.1:1")
    second = start_server("--issuer", "http://127.0.0.1:1", data_dir=first.data_dir)
    _, tokens = Api(first.url).new_session()
    for _ in range(ROUNDS):
        answers = race([first.url, second.url], tokens.refresh_token)
        assert [status for status, _ in answers] == [200] * RACERS
        successors = {successor for _, successor in answers}
        assert len(successors) == 1
        tokens = tokens_of(Api(second.url).refresh(successors.pop()))
    # each round: the race rotates once, then its successor once more
    sessions = Api(first.url).get("/sessions", tokens.access_token).json()["sessions"]
    assert [session["refresh_count"] for session in sessions] == [2 * ROUNDS]
