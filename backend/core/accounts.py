"""Accounts: sign up, and sign in with a password under the throttle; no HTTP."""

from __future__ import annotations

import logging
import secrets

from backend.core import password_policy, passwords
from backend.core.passwords import Hasher
from backend.core.sessions import Clock, Sessions, TokenGrant
from backend.core.throttle import OneAtATime, SignInThrottle
from backend.errors import InvalidCredentials, InvalidRequest, TooManyAttempts, UsernameTaken
from backend.settings import Settings
from backend.storage.database import Database
from backend.storage.records import User

log = logging.getLogger("backend.service")


class Accounts:
    """Creates accounts and checks their passwords, holding back whoever keeps failing."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        hasher: Hasher,
        sessions: Sessions,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.database = database
        self.hasher = hasher
        self.sessions = sessions
        self.clock = clock
        forget = settings.throttle_max_delay * 2
        self.user_throttle = SignInThrottle(
            settings.throttle_free_failures,
            settings.throttle_base_delay,
            settings.throttle_max_delay,
            forget,
        )
        self.sign_ins_of = OneAtATime()
        self.address_throttle = SignInThrottle(
            settings.throttle_address_free_failures,
            settings.throttle_base_delay,
            settings.throttle_max_delay,
            forget,
        )

    async def sign_up(self, raw_username: object, raw_password: object) -> str:
        """Create an account; returns its normalised username."""
        username = password_policy.normalise_username(raw_username)
        password = password_policy.check_password(raw_password, username)
        password_hash = await self.hasher.run(passwords.hash_password, password)
        user = User(secrets.token_hex(16), username, password_hash)
        created = await self.database.run(lambda store: store.add_user(user, int(self.clock())))
        if not created:
            raise UsernameTaken(f"The username {username!r} is taken.")
        log.info("user signed up: %s", username)
        return username

    async def sign_in(
        self, raw_username: object, raw_password: object, client_address: str
    ) -> TokenGrant:
        """Check the password and start a session of the server's own client."""
        user = await self.authenticate(raw_username, raw_password, client_address)
        return await self.sessions.start(user, self.settings.client_id)

    async def authenticate(
        self, raw_username: object, raw_password: object, client_address: str
    ) -> User:
        """The account whose password this is, under the throttle: the one password check of
        every way to sign in (JSON, the browser's sign-in page)."""
        if not isinstance(raw_password, str):
            raise InvalidRequest("password must be a string.")
        try:
            username = password_policy.normalise_username(raw_username)
        except InvalidRequest:
            if not isinstance(raw_username, str):
                raise
            username = ""
        async with self.sign_ins_of.hold(username):
            user, new_hash = await self._verify(username, raw_password, client_address)
        if new_hash:
            await self.database.run(lambda store: store.set_password_hash(user.id, new_hash))
        return user

    async def _verify(
        self, username: str, password: str, client_address: str
    ) -> tuple[User, str | None]:
        """The user whose password this is (and a rehash if the policy changed), or an error.

        Runs for one username at a time (see `sign_ins_of`), so guesses sent in parallel
        meet the throttle as surely as guesses sent one after another.
        """
        user_key, address_key = f"user:{username}", f"address:{client_address}"
        now = self.clock()
        wait = max(
            self.user_throttle.retry_after(user_key, now),
            self.address_throttle.retry_after(address_key, now),
        )
        if wait:
            raise TooManyAttempts(wait)
        user = await self.database.run(lambda store: store.user_by_name(username))
        ok, new_hash = await self.hasher.run(
            passwords.verify_password, password, user.password_hash if user else None
        )
        if not ok or user is None:
            self.user_throttle.record_failure(user_key, self.clock())
            self.address_throttle.record_failure(address_key, self.clock())
            raise InvalidCredentials
        self.user_throttle.reset(user_key)
        return user, new_hash

    def forget_stale(self) -> None:
        """Drop throttle records nobody needs any more."""
        self.user_throttle.forget_stale(self.clock())
        self.address_throttle.forget_stale(self.clock())
