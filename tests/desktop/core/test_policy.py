"""The refresh schedule, backoff and clock-jump detection, on fake clocks."""

from __future__ import annotations

import itertools
import random

import pytest

from desktop.core.policy import (
    Backoff,
    ClockWatch,
    lifetime_from_response,
    refresh_age,
    refresh_margin,
)
from tests.desktop.fakes import EdgeRandom, FakeClock, MidpointRandom


@pytest.mark.parametrize(
    ("length", "margin", "age"),
    [
        (2.0, 5.0, 1.0),
        (10.0, 5.0, 5.0),
        (300.0, 60.0, 240.0),
        (3600.0, 300.0, 3300.0),
        (86400.0, 300.0, 86100.0),
    ],
)
def test_refresh_age_follows_the_formula(length: float, margin: float, age: float) -> None:
    assert refresh_margin(length) == pytest.approx(margin)
    assert refresh_age(length) == pytest.approx(age)


def test_lifetime_counts_from_the_request_and_allows_for_whole_seconds() -> None:
    lifetime = lifetime_from_response(1000.0, 300, MidpointRandom())
    assert lifetime.issued_at == 1000.0
    assert lifetime.expires_at == pytest.approx(1299.0)
    assert lifetime.refresh_at == pytest.approx(1000.0 + refresh_age(299.0))


@pytest.mark.parametrize("expires_in", [2, 3, 10, 300, 3600, 86400])
def test_jitter_stays_within_ten_percent_and_before_expiry(expires_in: int) -> None:
    for upper in (True, False):
        lifetime = lifetime_from_response(0.0, expires_in, EdgeRandom(upper))
        nominal = refresh_age(lifetime.length)
        age = lifetime.refresh_at - lifetime.issued_at
        assert nominal * 0.9 - 1e-9 <= age <= nominal * 1.1 + 1e-9
        assert age < lifetime.length
    ages = {lifetime_from_response(0.0, 300, random.Random(seed)).refresh_at for seed in range(20)}
    assert len(ages) > 10


def test_a_fresh_token_is_never_due_even_when_the_lifetime_is_shorter_than_the_margin() -> None:
    for expires_in in (1, 2, 3, 4):
        lifetime = lifetime_from_response(500.0, expires_in, EdgeRandom(upper=False))
        assert not lifetime.is_due(500.0)
        assert lifetime.refresh_at - lifetime.issued_at >= 0.45 * lifetime.length - 1e-9


def test_no_refresh_storm_with_a_two_second_lifetime() -> None:
    clock = FakeClock(wall=0.0)
    rng = random.Random(7)
    lifetime = lifetime_from_response(clock.wall(), 2, rng)
    refreshes = []
    for _ in range(1200):
        clock.advance(0.05)
        if lifetime.is_due(clock.wall()):
            refreshes.append(clock.wall())
            lifetime = lifetime_from_response(clock.wall(), 2, rng)
            assert not lifetime.is_due(clock.wall())
    gaps = [b - a for a, b in itertools.pairwise(refreshes)]
    assert len(refreshes) <= 60 / (0.9 * refresh_age(1.5))
    assert min(gaps) >= 0.9 * refresh_age(1.5) - 0.05


def test_a_clock_jump_makes_the_token_due_at_once() -> None:
    clock = FakeClock(wall=10_000.0)
    lifetime = lifetime_from_response(clock.wall(), 300, MidpointRandom())
    watch = ClockWatch(clock)
    clock.advance(5)
    assert watch.check() == 0.0
    assert not lifetime.is_due(clock.wall())
    clock.jump(3600)
    assert watch.check() == pytest.approx(3600)
    assert lifetime.is_due(clock.wall())
    assert watch.check() == 0.0


def test_a_backwards_jump_is_noticed_too() -> None:
    clock = FakeClock(wall=10_000.0)
    watch = ClockWatch(clock)
    clock.jump(-120)
    assert watch.check() == pytest.approx(-120)
    clock.advance(1.5)
    assert watch.check() == 0.0


def test_backoff_doubles_from_one_second_to_sixty() -> None:
    backoff = Backoff(MidpointRandom())
    delays = [backoff.next_delay() for _ in range(9)]
    assert delays == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    backoff.reset()
    assert backoff.next_delay() == 1


def test_backoff_honours_retry_after() -> None:
    backoff = Backoff(MidpointRandom())
    assert backoff.next_delay(retry_after=90) == 90
    assert backoff.next_delay(retry_after=0.5) == 2
    assert backoff.attempts == 2


def test_backoff_jitter_spreads_within_bounds() -> None:
    high, low = Backoff(EdgeRandom(upper=True)), Backoff(EdgeRandom(upper=False))
    assert [high.next_delay() for _ in range(7)] == pytest.approx(
        [1.1, 2.2, 4.4, 8.8, 17.6, 35.2, 60]
    )
    assert [low.next_delay() for _ in range(7)] == pytest.approx(
        [0.9, 1.8, 3.6, 7.2, 14.4, 28.8, 54]
    )
