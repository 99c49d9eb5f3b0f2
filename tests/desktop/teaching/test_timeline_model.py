"""The timeline model records every refresh, call and revocation, and windows them for drawing."""

from __future__ import annotations

from desktop.core.events import ApiCalled, EndReason, HttpExchange, SessionEnded, TokensIssued
from desktop.teaching.models.events import ServerRestarted, TheftAttempted
from desktop.teaching.models.timeline import MAX_ITEMS, MAX_SPAN, MarkKind, TimelineModel

T0 = 1_800_000_000.0


def issued(at: float, via: str, changed: bool = True, ttl: float = 30) -> TokensIssued:
    return TokensIssued(
        at=at,
        via=via,
        access_token="x",
        access_expires_at=at + ttl,
        access_issued_at=at,
        refresh_token_changed=changed,
        session_id="s1",
        refresh_due_at=at + ttl * 0.8,
    )


def session(model: TimelineModel) -> None:
    model.record(issued(T0, "sign-in"))
    model.record(ApiCalled(T0 + 5, True, 200))
    model.record(issued(T0 + 24, "refresh"))
    model.record(ApiCalled(T0 + 30, False, 401))
    model.record(issued(T0 + 48, "refresh"))
    model.record(SessionEnded(T0 + 60, EndReason.REVOKED))


def test_each_refresh_call_and_revocation_is_recorded() -> None:
    model = TimelineModel()
    session(model)
    assert model.count(MarkKind.SIGN_IN) == 1
    assert model.count(MarkKind.REFRESH) == 2
    assert model.count(MarkKind.API_OK) == 1
    assert model.count(MarkKind.API_REFUSED) == 1
    assert model.count(MarkKind.REVOKED) == 1
    assert [bar.number for bar in model.bars] == [1, 2, 3]
    assert [(bar.issued_at, bar.expires_at) for bar in model.bars][1] == (T0 + 24, T0 + 54)


def test_revocation_cuts_live_access_tokens_and_closes_the_refresh_token() -> None:
    model = TimelineModel()
    session(model)
    assert [bar.cut_at for bar in model.bars] == [None, None, T0 + 60]
    spans = [(s.started_at, s.ended_at, s.ending) for s in model.refresh_spans]
    assert spans == [
        (T0, T0 + 24, "rotated"),
        (T0 + 24, T0 + 48, "rotated"),
        (T0 + 48, T0 + 60, "revoked"),
    ]
    assert model.current_refresh_span is None


def test_a_refresh_that_returns_the_same_token_keeps_its_generation() -> None:
    model = TimelineModel()
    model.record(issued(T0, "sign-in"))
    model.record(issued(T0 + 10, "refresh", changed=False))
    assert len(model.refresh_spans) == 1
    assert len(model.bars) == 2


def test_a_new_sign_in_starts_a_new_chain() -> None:
    model = TimelineModel()
    model.record(issued(T0, "sign-in"))
    model.record(issued(T0 + 5, "sign-in", changed=False))
    assert [s.ending for s in model.refresh_spans] == ["replaced by a new sign-in", ""]


def test_theft_failed_refreshes_refusal_and_restart_are_marks() -> None:
    model = TimelineModel()
    model.record(issued(T0, "startup"))
    assert model.record(TheftAttempted(T0 + 1, 2, 400, "invalid_grant"))
    assert model.record(HttpExchange(T0 + 2, "POST", "/tokens/refresh", 503, 3.0, "unavailable"))
    assert model.record(HttpExchange(T0 + 3, "POST", "/tokens/refresh", None, 3.0))
    assert not model.record(HttpExchange(T0 + 4, "POST", "/tokens/refresh", 400, 3.0))
    assert model.record(SessionEnded(T0 + 4, EndReason.INVALID_GRANT))
    assert model.record(ServerRestarted(T0 + 5, 15))
    kinds = [mark.kind for mark in model.marks]
    assert kinds == [
        MarkKind.RESTORED,
        MarkKind.THEFT,
        MarkKind.REFRESH_FAILED,
        MarkKind.REFRESH_FAILED,
        MarkKind.REFUSED,
        MarkKind.RESTART,
    ]
    assert [mark.label for mark in model.marks[2:4]] == ["unavailable", "no answer"]
    assert model.refresh_spans[0].ending == "refresh token refused by the server"


def test_events_outside_the_timeline_change_nothing() -> None:
    model = TimelineModel()
    assert not model.record(HttpExchange(T0, "GET", "/account", 200, 1.0))
    assert not model.record(HttpExchange(T0, "POST", "/tokens/refresh", 200, 1.0))
    assert not model.record("something else")
    assert model.marks == []


def test_the_window_follows_now_and_scales_with_the_token_lifetime() -> None:
    model = TimelineModel()
    assert model.window(T0) == (T0 - 90, T0 + 30)
    model.record(issued(T0, "sign-in", ttl=300))
    start, end = model.window(T0 + 1000)
    assert end - start == 750
    assert start < T0 + 1000 < end
    assert model.bars_in(start, end) == []
    assert [bar.number for bar in model.bars_in(T0 + 200, T0 + 400)] == [1]


def test_marks_and_spans_are_selected_by_window() -> None:
    model = TimelineModel()
    session(model)
    assert [m.at for m in model.marks_in(T0 + 20, T0 + 40)] == [T0 + 24, T0 + 30]
    assert [s.generation for s in model.spans_in(T0 + 50, T0 + 100, T0 + 100)] == [3]


def test_history_is_bounded_and_the_counts_go_on() -> None:
    model = TimelineModel()
    step = MAX_SPAN / MAX_ITEMS / 2
    for index in range(MAX_ITEMS + 10):
        at = T0 + index * step
        model.record(issued(at, "sign-in" if index == 0 else "refresh", ttl=step))
        model.record(ApiCalled(at, True, 200))
    assert len(model.marks) == len(model.bars) == len(model.refresh_spans) == MAX_ITEMS
    assert model.marks[-1].at == T0 + (MAX_ITEMS + 9) * step
    assert model.bars[0].issued_at == T0 + 10 * step
    assert model.count(MarkKind.API_OK) == MAX_ITEMS + 10
    assert model.count(MarkKind.REFRESH) == MAX_ITEMS + 9
    assert model.access_tokens == model.refresh_tokens == MAX_ITEMS + 10


def test_what_no_window_can_show_any_more_is_forgotten_and_still_counted() -> None:
    model = TimelineModel()
    model.record(issued(T0, "sign-in", ttl=3))
    for index in range(1, 1001):
        model.record(issued(T0 + 3 * index, "refresh", ttl=3))
        model.record(ApiCalled(T0 + 3 * index, True, 200))
    now = T0 + 3000
    assert len(model.bars) < 1000
    assert all(bar.expires_at >= now - MAX_SPAN for bar in model.bars)
    assert all(
        span.ended_at is None or span.ended_at >= now - MAX_SPAN for span in model.refresh_spans
    )
    assert all(mark.at >= now - MAX_SPAN for mark in model.marks)
    assert model.bars_in(now - MAX_SPAN, now) == model.bars
    assert model.count(MarkKind.REFRESH) == model.count(MarkKind.API_OK) == 1000
    assert model.access_tokens == 1001


def test_the_current_refresh_token_stays_however_old() -> None:
    model = TimelineModel()
    model.record(issued(T0, "sign-in", ttl=300))
    model.record(issued(T0 + 2 * MAX_SPAN, "refresh", changed=False, ttl=300))
    assert [span.generation for span in model.refresh_spans] == [1]
    assert model.current_refresh_span is not None
    assert [bar.issued_at for bar in model.bars] == [T0 + 2 * MAX_SPAN]
