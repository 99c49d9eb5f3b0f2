"""The use cases wired together: one object that JSON, seed and OAuth routes all call; no HTTP."""

from __future__ import annotations

import time
from dataclasses import dataclass

from backend.core.accounts import Accounts
from backend.core.authorization_codes import AuthorizationCodes
from backend.core.passwords import Hasher
from backend.core.rotation import Rotation
from backend.core.session_cache import ActiveSessionCache
from backend.core.sessions import Clock, Sessions
from backend.core.tokens import AccessTokens, RefreshTokens
from backend.settings import Settings
from backend.storage.database import Database


@dataclass(frozen=True)
class AuthService:
    """Every use case of the server, by concern: accounts, rotation of refresh tokens, sessions,
    and the authorization codes of the browser sign-in."""

    settings: Settings
    database: Database
    hasher: Hasher
    access_tokens: AccessTokens
    accounts: Accounts
    rotation: Rotation
    sessions: Sessions
    codes: AuthorizationCodes

    @classmethod
    def assemble(
        cls,
        settings: Settings,
        database: Database,
        hasher: Hasher,
        access_tokens: AccessTokens,
        refresh_tokens: RefreshTokens,
        clock: Clock = time.time,
    ) -> AuthService:
        """The use cases over one database and one set of keys, all reading one clock."""
        active_sessions = ActiveSessionCache(database.store.ended_signal)
        sessions = Sessions(
            settings, database, access_tokens, refresh_tokens, active_sessions, clock
        )
        return cls(
            settings,
            database,
            hasher,
            access_tokens,
            accounts=Accounts(settings, database, hasher, sessions, clock),
            rotation=Rotation(settings, database, refresh_tokens, sessions, clock),
            sessions=sessions,
            codes=AuthorizationCodes(settings, database, sessions, clock),
        )

    async def purge(self) -> int:
        """Delete sessions past the retention period and forget stale throttle records."""
        removed = await self.sessions.purge()
        await self.accounts.forget_stale()
        return removed

    def close(self) -> None:
        """Finish the password pool, then the database thread and its store."""
        self.hasher.close()
        self.database.close()
