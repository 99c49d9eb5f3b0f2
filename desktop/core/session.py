"""Token state and the refresh flow: single flight, rotation safety, sharing a store; no Qt."""

from __future__ import annotations

import base64
import json
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from desktop.core.client import ApiClient, SessionInfo, TokenResponse
from desktop.core.clock import Clock
from desktop.core.errors import (
    ApiError,
    InvalidGrant,
    NotSignedIn,
    SessionLost,
    StorageError,
    TokenRejected,
    UnexpectedResponse,
)
from desktop.core.events import SessionEvent, TokensIssued
from desktop.core.policy import Backoff, Lifetime, lifetime_from_response
from desktop.core.redact import same_secret
from desktop.core.token_store import StoredEntry, TokenStore

T = TypeVar("T")


def username_of(access_token: str) -> str:
    """The `username` claim of an access token the server just issued (read, not verified:
    the server checks it on every call)."""
    try:
        payload = access_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return str(claims["username"])
    except (IndexError, KeyError, TypeError, ValueError):
        raise UnexpectedResponse("The server's access token does not name the user.") from None


EventObserver = Callable[[SessionEvent], None]


@dataclass(frozen=True)
class Tokens:
    """What the app holds in memory; the access token is None until the first refresh succeeds."""

    username: str
    session_id: str
    refresh_token: str = field(repr=False)
    access_token: str | None = field(default=None, repr=False)
    lifetime: Lifetime | None = None
    rotations: int = 0


@dataclass(frozen=True)
class Ending:
    """How ending a session went: the server part, and the local part."""

    server_confirmed: bool
    local_problem: str = ""


class Session:
    """One account on one server: signs in, refreshes before expiry, calls, revokes.

    Every method may block on the network or the store: call them off the UI thread. They
    are thread-safe. Refreshes are single flight: callers that arrive while one is running
    share its result. A refresh holds the store's cross-process lock and re-reads the entry
    first, so another instance's rotation is adopted instead of tripping reuse detection.
    """

    def __init__(
        self,
        client: ApiClient,
        store: TokenStore,
        clock: Clock,
        rng: random.Random | None = None,
        observer: EventObserver | None = None,
    ) -> None:
        self.client = client
        self.store = store
        self.clock = clock
        self.observer = observer
        self._rng = rng or random.Random()
        self.backoff = Backoff(self._rng)
        self.retry_at: float | None = None
        self.persist_problem: str | None = None
        self._tokens: Tokens | None = None
        self._stored: StoredEntry | None = None
        self._unsaved = False
        self._generation = 0
        self._failures = 0
        self._last_failure: Exception | None = None
        self._flight = threading.RLock()

    @property
    def server(self) -> str:
        return self.store.key

    @property
    def tokens(self) -> Tokens | None:
        return self._tokens

    @property
    def stored_entry(self) -> StoredEntry | None:
        """The entry as last read from or written to the store by this app."""
        return self._stored

    def is_due(self) -> bool:
        """Whether the access token should be refreshed now (also when there is none yet)."""
        tokens = self._tokens
        if tokens is None:
            return False
        return tokens.lifetime is None or tokens.lifetime.is_due(self.clock.wall())

    def in_backoff(self) -> bool:
        return self.retry_at is not None and self.clock.wall() < self.retry_at

    def _require(self) -> Tokens:
        tokens = self._tokens
        if tokens is None:
            raise NotSignedIn()
        return tokens

    def _emit(self, event: SessionEvent) -> None:
        if self.observer is not None:
            self.observer(event)

    def sign_up(self, username: str, password: str) -> None:
        self.client.sign_up(username, password)

    def sign_in(self, username: str, password: str) -> Tokens:
        """A new session from a password; the refresh token is stored before it is used."""
        response = self.client.sign_in(username, password)
        with self._flight, self.store.lock():
            self._persist(
                StoredEntry(self.server, username, response.refresh_token, response.session_id)
            )
            return self._install(response, username, "sign-in", previous=None)

    def sign_in_with_code(self, code: str, redirect_uri: str, verifier: str) -> Tokens:
        """A new session from the browser's code; the password never reached this app."""
        response = self.client.exchange_code(code, redirect_uri, verifier)
        username = username_of(response.access_token)
        with self._flight, self.store.lock():
            self._persist(
                StoredEntry(self.server, username, response.refresh_token, response.session_id)
            )
            return self._install(response, username, "browser sign-in", previous=None)

    def restore(self) -> Tokens | None:
        """Resume the stored session with a silent refresh; None when nothing is stored.

        A transient failure leaves the session restored without an access token (the
        refresh is retried with backoff); a refused token ends it with SessionLost.
        """
        with self._flight:
            entry = self.store.load()
            self._stored = entry
            if entry is None:
                return None
            self._tokens = Tokens(entry.username, entry.session_id, entry.refresh_token)
            self._generation += 1
            return self._refresh_locked("startup")

    def refresh(
        self,
        *,
        failed_access_token: str | None = None,
        only_if_due: bool = False,
    ) -> Tokens:
        """Refresh once, shared by every caller that arrives while it runs, success or failure.

        Callers that waited get the same new tokens, or the same error: they neither send
        requests of their own nor add to the backoff. With `failed_access_token` (after a
        401) it refreshes only if that token is still the current one; with `only_if_due`
        only if the token is due, so a token refreshed a moment ago by another caller is not
        refreshed again.
        """
        seen, failures = self._generation, self._failures
        with self._flight:
            tokens = self._require()
            if self._generation != seen:
                return tokens
            if self._failures != failures and self._last_failure is not None:
                raise self._last_failure
            if failed_access_token is not None and not same_secret(
                failed_access_token, tokens.access_token
            ):
                return tokens
            if only_if_due and not self.is_due():
                return tokens
            return self._refresh_locked("refresh")

    def _refresh_locked(self, via: str) -> Tokens:
        try:
            with self.store.lock():
                presented = self._adopt_newer(self._require())
                try:
                    response = self.client.refresh(presented.refresh_token)
                except InvalidGrant as error:
                    self._end_locally(presented)
                    raise SessionLost(f"{error} Please sign in again.") from None
                self._persist(
                    StoredEntry(
                        self.server, presented.username, response.refresh_token, response.session_id
                    )
                )
                return self._install(response, presented.username, via, previous=presented)
        except (ApiError, StorageError) as error:
            self.retry_at = self.clock.wall() + self.backoff.next_delay(
                getattr(error, "retry_after", None)
            )
            self._failures += 1
            self._last_failure = error
            raise

    def _adopt_newer(self, tokens: Tokens) -> Tokens:
        """Take the stored refresh token if another instance rotated ours (same account)."""
        try:
            stored = self.store.load()
        except StorageError:
            return tokens
        self._stored = stored
        if (
            stored is None
            or self._unsaved
            or same_secret(stored.refresh_token, tokens.refresh_token)
        ):
            return tokens
        same_session = stored.session_id == tokens.session_id
        if not same_session and stored.username.casefold() != tokens.username.casefold():
            return tokens
        adopted = replace(tokens, refresh_token=stored.refresh_token, session_id=stored.session_id)
        self._tokens = adopted
        return adopted

    def _persist(self, entry: StoredEntry) -> None:
        """Store the entry; on failure keep it in memory and remember the problem to show."""
        try:
            self.store.save(entry)
        except StorageError as error:
            self._unsaved = True
            self.persist_problem = (
                f"{error} The new refresh token is kept in memory only: "
                "quitting now means signing in again."
            )
        else:
            self._unsaved = False
            self.persist_problem = None
            self._stored = entry

    def _install(
        self, response: TokenResponse, username: str, via: str, previous: Tokens | None
    ) -> Tokens:
        lifetime = lifetime_from_response(response.sent_at, response.expires_in, self._rng)
        changed = previous is None or not same_secret(
            previous.refresh_token, response.refresh_token
        )
        rotations = 0 if previous is None else previous.rotations + int(changed)
        tokens = Tokens(
            username=username,
            session_id=response.session_id,
            refresh_token=response.refresh_token,
            access_token=response.access_token,
            lifetime=lifetime,
            rotations=rotations,
        )
        self._tokens = tokens
        self._generation += 1
        self.backoff.reset()
        self.retry_at = None
        self._emit(
            TokensIssued(
                at=self.clock.wall(),
                via=via,
                access_token=response.access_token,
                access_expires_at=lifetime.expires_at,
                access_issued_at=lifetime.issued_at,
                refresh_token_changed=changed,
                session_id=response.session_id,
                refresh_due_at=lifetime.refresh_at,
            )
        )
        return tokens

    def _end_locally(self, tokens: Tokens) -> str:
        """Forget the session in memory and delete its stored entry; return a problem, if any."""
        self._tokens = None
        self._generation += 1
        self.retry_at = None
        self.backoff.reset()
        self._unsaved = False
        self.persist_problem = None
        try:
            stored = self.store.load()
            if stored is not None and (
                stored.session_id == tokens.session_id
                or same_secret(stored.refresh_token, tokens.refresh_token)
            ):
                self.store.delete()
                stored = None
        except StorageError as error:
            return f"The stored token could not be deleted: {error}"
        self._stored = stored
        return ""

    def _usable_access_token(self) -> str:
        """The current access token, refreshed first if it is due and no backoff is running."""
        tokens = self._require()
        now = self.clock.wall()
        valid = tokens.access_token is not None and not (
            tokens.lifetime is not None and tokens.lifetime.is_expired(now)
        )
        if valid and (not self.is_due() or self.in_backoff()):
            assert tokens.access_token is not None
            return tokens.access_token
        try:
            tokens = self.refresh(only_if_due=True)
        except (ApiError, StorageError):
            if not valid:
                raise
        if tokens.access_token is None:
            raise NotSignedIn("No access token yet: the session is waiting to be refreshed.")
        return tokens.access_token

    def call(self, request: Callable[[str], T]) -> T:
        """Call a protected route with a fresh access token; on a 401 refresh once and retry.

        The refresh happens only if the token that failed is still the current one, and
        never on 403.
        """
        token = self._usable_access_token()
        try:
            return request(token)
        except TokenRejected:
            tokens = self.refresh(failed_access_token=token)
            if tokens.access_token is None:
                raise
            return request(tokens.access_token)

    def account(self) -> dict[str, Any]:
        return self.call(self.client.account)

    def sessions(self) -> list[SessionInfo]:
        return self.call(self.client.sessions)

    def revoke(self) -> Ending:
        """Revoke the refresh token on the server and delete it here, also when offline."""
        with self._flight:
            tokens = self._require()
            try:
                with self.store.lock():
                    tokens = self._adopt_newer(tokens)
            except StorageError:
                pass
            try:
                self.client.revoke(tokens.refresh_token)
                confirmed = True
            except ApiError:
                confirmed = False
            return Ending(confirmed, self._end_locally(tokens))

    def sign_out_everywhere(self) -> Ending:
        """End every session of the account on the server, then this one here."""
        self.call(self.client.revoke_all)
        with self._flight:
            tokens = self._require()
            return Ending(True, self._end_locally(tokens))

    def end_session(self, session_id: str) -> Ending | None:
        """End one session of the account; returns an Ending when it was this app's own."""
        self.call(lambda access: self.client.delete_session(access, session_id))
        with self._flight:
            tokens = self._tokens
            if tokens is None or tokens.session_id != session_id:
                return None
            return Ending(True, self._end_locally(tokens))
