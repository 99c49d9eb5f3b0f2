"""While nobody looks, nothing ticks: timers run for what is on screen, and refreshes go on."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer

from desktop.qt.scheduler import RefreshScheduler
from desktop.ui.countdown import OnScreenTicker, seconds_left, until_next_second
from desktop.ui.overview import next_tick
from tests.desktop.conftest import Account
from tests.desktop.driver import Driver


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0.0, "0 s"), (0.2, "1 s"), (6.3, "7 s"), (7.0, "7 s"), (59.5, "1 min"), (250, "4 min 10 s")],
)
def test_countdowns_show_whole_seconds_rounded_up(seconds: float, shown: str) -> None:
    assert seconds_left(seconds) == shown


@pytest.mark.parametrize(("seconds", "wait"), [(6.3, 0.3), (7.0, 1.0), (0.25, 0.25)])
def test_the_next_tick_comes_when_the_next_number_shows(seconds: float, wait: float) -> None:
    assert until_next_second(seconds) == pytest.approx(wait)
    assert seconds_left(seconds - wait + 1e-6) == seconds_left(seconds)
    assert seconds_left(seconds - wait - 1e-6) != seconds_left(seconds)


def test_the_countdown_also_wakes_when_the_refresh_falls_due() -> None:
    assert next_tick(to_expiry=12.6, to_refresh=0.2) == pytest.approx(0.2)
    assert next_tick(to_expiry=12.6, to_refresh=4.0) == pytest.approx(0.6)
    assert next_tick(to_expiry=12.6, to_refresh=-1.0) == pytest.approx(0.6)
    assert next_tick(to_expiry=0.0, to_refresh=-3.0) is None


def running_timers(app: Driver) -> set[str]:
    """The window's running timers, by what owns them; the refresh clockwork as 'scheduler'."""
    names = set()
    for timer in app.window.findChildren(QTimer):
        if timer.isActive():
            owner = timer.parent()
            if isinstance(owner, OnScreenTicker):
                owner = owner.parent()
            assert owner is not None
            scheduler = isinstance(owner, RefreshScheduler)
            names.add("scheduler" if scheduler else owner.objectName() or type(owner).__name__)
    return names


@pytest.fixture
def signed_in(server_with_short_tokens, make_account, open_window) -> Driver:
    account: Account = make_account(server_with_short_tokens.url)
    app = open_window("--server", server_with_short_tokens.url, "--token-store", "memory")
    app.sign_in(account.username, account.password)
    return app


@pytest.fixture
def server_with_short_tokens(start_server):
    return start_server("--access-ttl", "2")


def test_the_countdown_runs_on_its_page_and_stops_on_other_tabs(signed_in: Driver) -> None:
    app = signed_in
    app.qtbot.waitUntil(lambda: app.window.overview.ticker.running, timeout=5_000)
    assert running_timers(app) == {"scheduler", "overview"}
    app.show_tab("timelinePanel")
    assert not app.window.overview.ticker.running
    assert running_timers(app) == {"scheduler", "timelinePanel"}
    app.window.tabs.setCurrentIndex(0)
    app.qtbot.waitUntil(lambda: app.window.overview.ticker.running, timeout=5_000)


@pytest.mark.parametrize("away", ["minimised", "hidden"])
def test_out_of_sight_only_the_refresh_clockwork_runs_and_refreshes_go_on(
    signed_in: Driver, away: str
) -> None:
    app = signed_in
    app.show_tab("timelinePanel")
    if away == "minimised":
        app.window.showMinimized()
    else:
        app.window.hide()
    assert running_timers(app) == {"scheduler"}
    refreshed = len(app.issued("refresh"))
    app.wait_refreshes(refreshed + 3)
    assert running_timers(app) <= {"scheduler"}
    assert app.endings() == []
    app.window.showNormal()
    assert "timelinePanel" in running_timers(app)
