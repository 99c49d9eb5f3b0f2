"""Accounts: sign-up, and the one password check under the throttle for every way in; no HTTP."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from backend.core import password_policy, passwords, usernames
from backend.core.passwords import Hasher
from backend.core.sessions import Clock, Sessions, TokenGrant
from backend.core.throttle import Backoff, OneAtATime, SignInThrottle, ThrottleKeys
from backend.errors import InvalidCredentials, InvalidRequest, TooManyAttempts, UsernameTaken
from backend.settings import Settings
from backend.storage.database import Database
from backend.storage.records import FailureCount, User
from backend.storage.store import Store

log = logging.getLogger("backend.service")
SIGN_IN_WINDOW = 60
TOO_MANY_SIGN_INS = (
    f"Too many sign-ins to this account within a minute. Try again in {SIGN_IN_WINDOW} s."
)


@dataclass(frozen=True)
class SignInCheck:
    """What the store says before a password is checked: the account and its limits."""

    user: User | None
    counts: dict[str, FailureCount]
    known_address: bool
    recent_sign_ins: int


def sign_up_work(raw_password: object, username: str) -> str:
    """On the password pool: the strength check (pure Python, bounded), then the hash."""
    return passwords.hash_password(password_policy.check_password(raw_password, username))


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
        self.throttle = SignInThrottle(
            per_address=Backoff(
                settings.throttle_address_free_failures,
                settings.throttle_base_delay,
                settings.throttle_max_delay,
            ),
            per_name_from_address=Backoff(
                settings.throttle_free_failures,
                settings.throttle_base_delay,
                settings.throttle_max_delay,
            ),
            per_name=Backoff(
                settings.throttle_name_free_failures,
                settings.throttle_base_delay,
                settings.throttle_max_delay,
            ),
            forget_after=settings.throttle_max_delay * 2,
        )
        self.sign_ins_of = OneAtATime()

    async def sign_up(self, raw_username: object, raw_password: object) -> str:
        """Create an account; returns its normalised username.

        The strength estimate and the hash run on the password pool, never on the event loop.
        """
        username = usernames.normalise_username(raw_username)
        password_hash = await self.hasher.run(sign_up_work, raw_password, username)
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
        """The account whose password this is, under the throttle: the one password check that
        every way of signing in calls (JSON, OAuth, a sign-in page), before it starts a session.

        Raises InvalidCredentials, TooManyAttempts (failures, or too many sign-ins of the
        account in a minute) or InvalidRequest (a username or password that is not a string).
        Runs for one username at a time, so guesses sent in parallel meet the throttle as
        surely as guesses sent one after another.
        """
        if not isinstance(raw_password, str):
            raise InvalidRequest("password must be a string.")
        names = usernames.sign_in_names(raw_username)
        throttle_name = names[0] if names else ""
        async with self.sign_ins_of.hold(throttle_name):
            keys = self.throttle.keys(throttle_name, client_address)
            user, new_hash = await self._verify(names, keys, raw_password, client_address)
        if new_hash:
            await self.database.run(lambda store: store.set_password_hash(user.id, new_hash))
        return user

    async def _verify(
        self, names: list[str], keys: ThrottleKeys, password: str, client_address: str
    ) -> tuple[User, str | None]:
        """The user whose password this is (and a rehash if the policy changed), or an error."""
        now = self.clock()
        check = await self.database.run(self._check, names, keys, client_address, now)
        wait = self.throttle.retry_after(keys, check.counts, check.known_address, now)
        if wait:
            raise TooManyAttempts(wait)
        if check.recent_sign_ins >= self.settings.sign_ins_per_minute:
            raise TooManyAttempts(SIGN_IN_WINDOW, TOO_MANY_SIGN_INS)
        user = check.user
        ok, new_hash = await self.hasher.run(
            passwords.verify_password, password, user.password_hash if user else None
        )
        if not ok or user is None:
            restart = now - self.throttle.forget_after
            await self.database.run(
                lambda store: store.record_failures(keys.all, self.clock(), restart)
            )
            raise InvalidCredentials
        await self.database.run(self._succeeded, user, keys, client_address, int(now))
        return user, new_hash

    def _check(
        self, store: Store, names: list[str], keys: ThrottleKeys, address: str, now: float
    ) -> SignInCheck:
        user = next(
            (found for name in names if (found := store.user_by_name(name)) is not None), None
        )
        counts = store.failure_counts(keys.all)
        if user is None:
            return SignInCheck(None, counts, False, 0)
        since = int(now) - SIGN_IN_WINDOW
        return SignInCheck(
            user,
            counts,
            store.signed_in_from(user.id, address),
            store.sessions_started_since(user.id, since),
        )

    @staticmethod
    def _succeeded(store: Store, user: User, keys: ThrottleKeys, address: str, now: int) -> None:
        store.clear_failures([keys.name_from_address])
        store.remember_sign_in_address(user.id, address, now)

    async def forget_stale(self) -> int:
        """Delete throttle counts and sign-in addresses nobody needs any more."""
        now = self.clock()
        failures_before = now - self.throttle.forget_after
        addresses_before = int(now) - self.settings.sign_in_address_retention
        return await self.database.run(
            lambda store: store.purge_sign_in_records(failures_before, addresses_before)
        )
