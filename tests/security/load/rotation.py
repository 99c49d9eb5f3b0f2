"""A client that keeps one session alive by rotating its refresh token, as a desktop app does."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests

from tests.security.figures import FIGURES
from tests.security.load.database import assert_database_intact
from tests.support.api import Api
from tests.support.server_process import ServerProcess

UNREACHABLE = (requests.ConnectionError, requests.exceptions.ChunkedEncodingError)
RETRY_PAUSE = 0.05


@dataclass
class Rotator:
    """One session's client: its current refresh token and what happened to its requests.

    When the server cannot be reached it keeps the token it sent and tries again: if the
    server had rotated it before going away, that token is now the predecessor, which the
    reuse grace answers with the current one.
    """

    base_url: str
    refresh_token: str
    session_id: str
    http: requests.Session = field(default_factory=requests.Session)
    refreshes: int = 0
    unreachable: int = 0
    unexpected: list[str] = field(default_factory=list)

    def refresh_once(self) -> bool:
        """One refresh; False when no answer came (the token is kept for a retry)."""
        try:
            response = self.http.post(
                self.base_url + "/tokens/refresh",
                json={"refresh_token": self.refresh_token},
                timeout=30,
            )
        except UNREACHABLE:
            self.unreachable += 1
            return False
        body = response.json() if response.status_code == 200 else {}
        if (
            response.status_code != 200
            or body.get("session_id") != self.session_id
            or body.get("refresh_token") in (None, self.refresh_token)
        ):
            self.unexpected.append(f"{response.status_code} {response.text[:300]}")
            return False
        self.refresh_token = body["refresh_token"]
        self.refreshes += 1
        return True

    def rotate_until(self, deadline: float, stop: threading.Event | None = None) -> None:
        """Refresh back to back until the deadline (or `stop`), pausing only when unreachable."""
        while time.monotonic() < deadline and not (stop and stop.is_set()):
            if self.unexpected:
                return
            if not self.refresh_once() and not self.unexpected:
                time.sleep(RETRY_PAUSE)


def run_together(rotators: list[Rotator], seconds: float) -> None:
    """Every rotator on its own thread for `seconds`."""
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=r.rotate_until, args=(deadline,)) for r in rotators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def new_rotators(base_url: str, username: str, count: int) -> list[Rotator]:
    """`count` new sessions of one account (signed in four at a time), one rotator each."""
    with ThreadPoolExecutor(4) as pool:
        sessions = list(pool.map(lambda _: Api(base_url).sign_in(username), range(count)))
    return [Rotator(base_url, s.refresh_token, s.session_id) for s in sessions]


def refresh_counts(base_url: str, username: str) -> dict[str, int]:
    """Every active session of the account and its refresh count, as the server reports them."""
    api = Api(base_url)
    access_token = api.sign_in(username).access_token
    counts: dict[str, int] = {}
    path = "/sessions?limit=100"
    while path:
        response = api.call("GET", path, access_token)
        assert response.status_code == 200, response.text
        page = response.json()
        counts.update({item["id"]: item["refresh_count"] for item in page["sessions"]})
        path = f"/sessions?limit=100&cursor={page['next_cursor']}" if page["next_cursor"] else ""
    return counts


def assert_no_session_lost(server: ServerProcess, username: str, rotators: list[Rotator]) -> None:
    """Every rotator's session is active with the refresh count the client saw; then the
    stopped server's database is intact. The figure `sessions lost` is counted here."""
    counts = refresh_counts(server.url, username)
    lost = [r.session_id for r in rotators if r.session_id not in counts]
    FIGURES.tally("sessions lost", len(lost))
    assert lost == []
    assert {r.session_id: counts[r.session_id] for r in rotators} == {
        r.session_id: r.refreshes for r in rotators
    }, "the server's refresh counts differ from the clients'"
    assert_database_intact(server)
