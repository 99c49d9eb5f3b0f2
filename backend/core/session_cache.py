"""Sessions seen active, so a Bearer request skips the database until some session ends."""

from __future__ import annotations

from dataclasses import dataclass

from backend.storage.records import Session
from backend.storage.store import EndSignal

DEFAULT_CAPACITY = 8192


@dataclass(frozen=True)
class ActiveSession:
    """What a Bearer check needs of a session, and the end-signal mark seen before reading it."""

    user_id: str
    expires_at: int
    mark: bytes


class ActiveSessionCache:
    """Sessions read from the database and found active, trusted only while no session has ended.

    Any ended session anywhere (sign-out, revocation, revoke-all, reuse detection, expiry at a
    refresh) changes the shared mark, and every entry read before the change is read again.
    `expires_at` only ever moves later (a refresh extends the idle lifetime), so the one kept
    here is a safe bound: past it, the session is read again too. Used from the event loop.
    """

    def __init__(self, signal: EndSignal, capacity: int = DEFAULT_CAPACITY) -> None:
        self.signal = signal
        self.capacity = capacity
        self._entries: dict[str, ActiveSession] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def mark(self) -> bytes:
        """Take this before reading a session, and hand it to `remember` with what was read."""
        return self.signal.mark()

    def holds(self, session_id: str, user_id: str, now: float) -> bool:
        """True if the session is known to be active now and to belong to `user_id`."""
        known = self._entries.get(session_id)
        if known is None:
            return False
        if known.mark != self.signal.mark() or now >= known.expires_at:
            del self._entries[session_id]
            return False
        return known.user_id == user_id

    def remember(self, session: Session, mark: bytes) -> None:
        """Keep a session just read and found active, with the mark taken before the read."""
        if len(self._entries) >= self.capacity:
            self._make_room()
        self._entries[session.id] = ActiveSession(session.user_id, session.expires_at, mark)

    def _make_room(self) -> None:
        """Drop entries from before the last ended session, then the oldest, to 3/4 capacity."""
        current = self.signal.mark()
        self._entries = {
            session_id: known
            for session_id, known in self._entries.items()
            if known.mark == current
        }
        excess = len(self._entries) - self.capacity * 3 // 4
        for session_id in list(self._entries)[: max(excess, 0)]:
            del self._entries[session_id]
