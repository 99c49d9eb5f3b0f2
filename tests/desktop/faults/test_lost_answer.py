"""A refresh answer lost after the server rotated the token: the retry gets that token back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.qt.engine import Phase
from desktop.storage.file_store import FileStore
from tests.desktop.faults.proxy import Fault

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


@pytest.mark.parametrize("fault", list(LOST_ANSWERS), ids=lambda fault: fault.name.lower())
def test_a_refresh_answer_lost_after_rotation_keeps_the_session(
    fault: Fault, signed_in_behind_proxy, tmp_path: Path
) -> None:
    window = signed_in_behind_proxy("file")
    proxy, app, offline = window.proxy, window.app, window.offline
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
