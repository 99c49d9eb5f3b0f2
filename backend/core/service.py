"""The use cases wired together: one object that JSON, seed and OAuth routes all call; no HTTP."""

from __future__ import annotations

import time
from dataclasses import dataclass

from backend.core.accounts import Accounts
from backend.core.authorization_codes import AuthorizationCodes
from backend.core.keys.data_dir import DataDirSecrets
from backend.core.keys.live import SigningKeys
from backend.core.keys.ring import KeyRing, forget_legacy_key, open_keys
from backend.core.passwords import Hasher
from backend.core.rotation import Rotation
from backend.core.session_cache import ActiveSessionCache
from backend.core.sessions import Clock, Sessions
from backend.core.tokens import AUDIENCE, AccessTokens, RefreshTokens
from backend.settings import Settings
from backend.storage.database import Database
from backend.storage.store import Store


@dataclass(frozen=True)
class AuthService:
    """Every use case of the server, by concern: accounts, rotation of refresh tokens, sessions,
    and the authorization codes of the browser sign-in."""

    settings: Settings
    database: Database
    hasher: Hasher
    keys: SigningKeys
    access_tokens: AccessTokens
    accounts: Accounts
    rotation: Rotation
    sessions: Sessions
    codes: AuthorizationCodes

    @classmethod
    def open(cls, settings: Settings, store: Store, clock: Clock = time.time) -> AuthService:
        """The use cases over `store` and the data dir's secrets, all reading one clock.

        The data dir is checked against the store first (a data dir of another deployment
        is refused), and an empty store gets its first signing key; then the database
        thread takes the store over.
        """
        secrets = DataDirSecrets.load(settings)
        with store.transaction():
            records = open_keys(store, secrets, settings.legacy_key_path, int(clock()))
        forget_legacy_key(settings.legacy_key_path, records)
        database = Database(store)
        keys = SigningKeys(KeyRing.unseal(records, secrets, settings.access_ttl), database, clock)
        access_tokens = AccessTokens(
            keys,
            issuer=settings.issuer or f"http://{settings.host}:{settings.port}",
            audience=AUDIENCE,
            lifetime=settings.access_ttl,
        )
        refresh_tokens = RefreshTokens(secrets.rotation_key)
        active_sessions = ActiveSessionCache(store.ended_signal)
        hasher = Hasher()
        sessions = Sessions(
            settings, database, access_tokens, refresh_tokens, active_sessions, clock
        )
        return cls(
            settings,
            database,
            hasher,
            keys,
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
