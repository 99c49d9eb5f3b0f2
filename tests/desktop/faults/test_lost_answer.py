"""A refresh answer lost after the server rotated the token: the retry gets that token back."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.controller import Phase
from desktop.storage import FileStore
from tests.desktop.conftest import Account
from tests.desktop.driver import Driver
from tests.desktop.faults.proxy import Fault, FaultProxy

RECOVERY_MS = 30_000
LOST_ANSWERS = {
    Fault.DROP_AFTER_FORWARD: (None, "Cannot reach the server"),
    Fault.CUT_WITH_LENGTH: (None, "answer was cut short"),
    Fault.CUT_AT_CLOSE: (200, "answer was cut short"),
    Fault.LATE: (None, "did not answer in time"),
}


def back_online(offline: list[str]) -> bool:
    """The app went offline and came back (an empty message clears the offline state)."""
    return len(offline) >= 2 and offline[-1] == ""


def signed_in_through(
    proxy: FaultProxy, account: Account, open_window: Callable[..., Driver]
) -> tuple[Driver, list[str]]:
    """A window signed in through the proxy, and the offline messages it will show."""
    app = open_window("--server", proxy.url, "--token-store", "file")
    app.sign_in(account.username, account.password)
    offline: list[str] = []
    app.controller.connectivity.connect(lambda message, _: offline.append(message))
    return app, offline


@pytest.mark.parametrize("fault", list(LOST_ANSWERS), ids=lambda fault: fault.name.lower())
def test_a_refresh_answer_lost_after_rotation_keeps_the_session(
    fault: Fault, server, make_account, fault_proxy, open_window, tmp_path: Path
) -> None:
    proxy = fault_proxy(server.url)
    app, offline = signed_in_through(proxy, make_account(server.url), open_window)
    first_session = app.controller.tokens.session_id
    proxy.inject("/tokens/refresh", fault)
    app.button("refreshNowButton").click()
    app.qtbot.waitUntil(lambda: back_online(offline), timeout=RECOVERY_MS)

    lost, retried = proxy.relayed_to("/tokens/refresh")
    assert (lost.fault, lost.status, retried.fault, retried.status) == (fault, 200, Fault.PASS, 200)
    rotated_to = json.loads(lost.body)["refresh_token"]
    assert json.loads(retried.body)["refresh_token"] == rotated_to
    status_seen, words = LOST_ANSWERS[fault]
    assert [e.status for e in app.exchanges("/tokens/refresh")] == [status_seen, 200]
    assert words in offline[0]
    assert app.controller.tokens.refresh_token == rotated_to
    assert app.controller.tokens.session_id == first_session
    stored = FileStore(proxy.url, tmp_path / "app-data" / "refresh-tokens.json").load()
    assert stored is not None
    assert stored.refresh_token == rotated_to
    assert app.endings() == []
    assert app.controller.phase == Phase.SIGNED_IN
    assert app.call_api().ok
