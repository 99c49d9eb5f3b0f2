"""The session over time, as data: access-token bars, refresh-token generations and marks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from desktop.core.events import ApiCalled, EndReason, HttpExchange, SessionEnded, TokensIssued
from desktop.teaching.models.events import ServerRestarted, TheftAttempted

MAX_ITEMS = 2000
REVOKING = {EndReason.SIGNED_OUT, EndReason.REVOKED, EndReason.SIGNED_OUT_EVERYWHERE}
MIN_SPAN = 60.0
MAX_SPAN = 30 * 60.0
SPANS_PER_TOKEN = 2.5
LOOKAHEAD = 0.25
T = TypeVar("T")


class MarkKind(StrEnum):
    """The kinds of moments drawn on the timeline."""

    SIGN_IN = "sign-in"
    RESTORED = "restored"
    REFRESH = "refresh"
    REFRESH_FAILED = "refresh failed"
    API_OK = "API call accepted"
    API_REFUSED = "API call refused"
    REVOKED = "revoked"
    REFUSED = "refresh token refused"
    THEFT = "attacker replay"
    RESTART = "server restarted"


@dataclass
class AccessBar:
    """One access token's life; `cut_at` is when its session ended before it expired."""

    number: int
    issued_at: float
    expires_at: float
    via: str
    refresh_due_at: float | None = None
    cut_at: float | None = None

    @property
    def lifetime(self) -> float:
        return self.expires_at - self.issued_at


@dataclass
class RefreshSpan:
    """One refresh token, from when the app got it until it was rotated or the session ended."""

    generation: int
    started_at: float
    ended_at: float | None = None
    ending: str = ""


@dataclass(frozen=True)
class Mark:
    """A moment: what happened, when, and a short label."""

    at: float
    kind: MarkKind
    label: str


def leading(items: Sequence[T], test: Callable[[T], bool]) -> int:
    """How many items at the front of `items` pass `test`."""
    count = 0
    for item in items:
        if not test(item):
            break
        count += 1
    return count


class TimelineModel:
    """Records session events and answers what to draw for a window of time.

    Knows nothing of painting: a view asks for `window(now)` and the items inside it. It
    keeps the bars, refresh tokens and marks that the widest window (MAX_SPAN) can still
    show, at most MAX_ITEMS of each, and counts every one of them.
    """

    def __init__(self) -> None:
        self.bars: list[AccessBar] = []
        self.refresh_spans: list[RefreshSpan] = []
        self.marks: list[Mark] = []
        self._issued = 0
        self._generations = 0
        self._totals: Counter[MarkKind] = Counter()

    def record(self, event: Any) -> bool:
        """Take in one event; return whether the timeline changed."""
        if isinstance(event, TokensIssued):
            self._tokens_issued(event)
        elif isinstance(event, ApiCalled):
            kind = MarkKind.API_OK if event.ok else MarkKind.API_REFUSED
            status = "no answer" if event.status is None else f"HTTP {event.status}"
            self._mark(Mark(event.at, kind, status))
        elif isinstance(event, HttpExchange):
            return self._exchange(event)
        elif isinstance(event, SessionEnded):
            self._session_ended(event)
        elif isinstance(event, TheftAttempted):
            status = "no answer" if event.status is None else f"HTTP {event.status}"
            self._mark(Mark(event.at, MarkKind.THEFT, f"{event.error or status}"))
        elif isinstance(event, ServerRestarted):
            self._mark(Mark(event.at, MarkKind.RESTART, f"access tokens now {event.access_ttl} s"))
        else:
            return False
        return True

    def _tokens_issued(self, event: TokensIssued) -> None:
        self._issued += 1
        self.bars.append(
            AccessBar(
                number=self._issued,
                issued_at=event.access_issued_at,
                expires_at=event.access_expires_at,
                via=event.via,
                refresh_due_at=event.refresh_due_at,
            )
        )
        del self.bars[:-MAX_ITEMS]
        kinds = {"sign-in": MarkKind.SIGN_IN, "startup": MarkKind.RESTORED}
        kind = kinds.get(event.via, MarkKind.REFRESH)
        self._mark(Mark(event.at, kind, f"access token #{self._issued}"))
        current = self.current_refresh_span
        if event.via == "sign-in" and current is not None:
            self._close_refresh_span(event.at, "replaced by a new sign-in")
            current = None
        if current is None or event.refresh_token_changed:
            if current is not None:
                self._close_refresh_span(event.at, "rotated")
            self._generations += 1
            self.refresh_spans.append(RefreshSpan(self._generations, event.at))
            del self.refresh_spans[:-MAX_ITEMS]

    def _exchange(self, event: HttpExchange) -> bool:
        """A refresh that failed for a passing reason (no answer, 5xx, 429): the app retries.

        A refusal (400) ends the session, which the SessionEnded record marks.
        """
        if event.path != "/tokens/refresh" or event.status in {200, 400}:
            return False
        reason = "no answer" if event.status is None else event.detail or f"HTTP {event.status}"
        self._mark(Mark(event.at, MarkKind.REFRESH_FAILED, reason))
        return True

    def _session_ended(self, event: SessionEnded) -> None:
        kind = MarkKind.REVOKED if event.reason in REVOKING else MarkKind.REFUSED
        self._mark(Mark(event.at, kind, str(event.reason)))
        self._close_refresh_span(event.at, str(event.reason))
        for bar in self.bars:
            if bar.cut_at is None and bar.issued_at <= event.at < bar.expires_at:
                bar.cut_at = event.at

    def _close_refresh_span(self, at: float, ending: str) -> None:
        current = self.current_refresh_span
        if current is not None:
            current.ended_at = at
            current.ending = ending

    def _forget_before(self, horizon: float) -> None:
        """Drop what ended before `horizon`: no window reaches back that far."""
        del self.bars[: leading(self.bars, lambda bar: bar.expires_at < horizon)]
        del self.refresh_spans[
            : leading(
                self.refresh_spans,
                lambda span: span.ended_at is not None and span.ended_at < horizon,
            )
        ]
        del self.marks[: leading(self.marks, lambda mark: mark.at < horizon)]

    def _mark(self, mark: Mark) -> None:
        """Every change comes with a mark: the moment to forget what is out of reach."""
        self._forget_before(mark.at - MAX_SPAN)
        self.marks.append(mark)
        del self.marks[:-MAX_ITEMS]
        self._totals[mark.kind] += 1

    @property
    def current_refresh_span(self) -> RefreshSpan | None:
        if self.refresh_spans and self.refresh_spans[-1].ended_at is None:
            return self.refresh_spans[-1]
        return None

    def count(self, kind: MarkKind) -> int:
        """Marks of this kind since the app started, also those no longer kept."""
        return self._totals[kind]

    @property
    def access_tokens(self) -> int:
        """Access tokens issued since the app started."""
        return self._issued

    @property
    def refresh_tokens(self) -> int:
        """Refresh tokens held since the app started."""
        return self._generations

    def span(self) -> float:
        """Seconds to show: a few access-token lifetimes, so bars and refreshes stay readable."""
        if not self.bars:
            return MIN_SPAN * 2
        return min(MAX_SPAN, max(MIN_SPAN, SPANS_PER_TOKEN * self.bars[-1].lifetime))

    def window(self, now: float) -> tuple[float, float]:
        """The time range to draw: mostly the past, a quarter ahead for the coming expiry."""
        total = self.span()
        end = now + LOOKAHEAD * total
        return end - total, end

    def bars_in(self, start: float, end: float) -> list[AccessBar]:
        return [bar for bar in self.bars if bar.expires_at >= start and bar.issued_at <= end]

    def spans_in(self, start: float, end: float, now: float) -> list[RefreshSpan]:
        return [
            item
            for item in self.refresh_spans
            if (item.ended_at if item.ended_at is not None else now) >= start
            and item.started_at <= end
        ]

    def marks_in(self, start: float, end: float) -> list[Mark]:
        return [mark for mark in self.marks if start <= mark.at <= end]
