"""Store records built for tests that talk to a store directly."""

from __future__ import annotations

from backend.storage.records import Session


def active_session(session_id: str, user_id: str = "user", expires_at: int = 1_000) -> Session:
    """A fresh session of `user_id`, active until `expires_at`."""
    return Session(
        id=session_id,
        user_id=user_id,
        client_id="jwt-refresh-demo",
        created_at=0,
        last_refreshed_at=0,
        refresh_count=0,
        absolute_expires_at=expires_at,
        idle_expires_at=expires_at,
        current_generation=0,
        rotated_at=0.0,
        ended_at=None,
        end_reason=None,
    )
