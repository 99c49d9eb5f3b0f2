"""The controller: its parts built and wired, and the one face the window, tabs and tests see."""

from __future__ import annotations

import random
import threading
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, SignalInstance, Slot

from backend import EmbeddedServer
from desktop.core.clock import Clock, SystemClock
from desktop.core.session import Tokens
from desktop.qt.actions import Action
from desktop.qt.api_calls import ApiCalls
from desktop.qt.connectivity import Connectivity
from desktop.qt.engine import Phase, SessionEngine
from desktop.qt.scheduler import RefreshScheduler
from desktop.qt.store_keeper import StoreKeeper
from desktop.storage.kinds import make_store

# Seconds the embedded server waits for the window's first paint before it starts anyway.
SERVER_START_AT_THE_LATEST = 1.0


class Controller(QObject):
    """The session engine, the store keeper, connectivity, API calls and jobs of one window.

    Each page listens to the parts it shows; what the teaching tabs and tests use of them
    is also here, in one place. `token_store` None means the keyring, or the fallback the
    user chose before where the keyring cannot be used.
    """

    def __init__(
        self,
        server_url: str,
        data_dir: Path,
        token_store: str | None = None,
        embedded: EmbeddedServer | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._server_url = server_url.rstrip("/")
        self._embedded = embedded
        self._server_may_start = threading.Event()
        self._closed = False
        clock = clock or SystemClock()
        store = make_store(token_store or "keyring", self._server_url, data_dir)
        scheduler = RefreshScheduler(clock, self)
        self.network = Connectivity(scheduler, self)
        self.engine = SessionEngine(
            self._server_url, store, clock, rng, scheduler, self.network, self
        )
        self.jobs = self.engine.jobs
        self.stores = StoreKeeper(self.engine, self._server_url, data_dir, token_store, self)
        self.api = ApiCalls(self.engine, self.network, self)

    # What the teaching tabs and tests listen to.

    @property
    def happened(self) -> SignalInstance:
        return self.engine.happened

    @property
    def phase_changed(self) -> SignalInstance:
        return self.engine.phase_changed

    @property
    def notice(self) -> SignalInstance:
        return self.engine.notice

    @property
    def persist_warning(self) -> SignalInstance:
        return self.engine.persist_warning

    @property
    def signed_out(self) -> SignalInstance:
        return self.engine.signed_out

    @property
    def store_problem(self) -> SignalInstance:
        return self.stores.problem

    @property
    def connectivity(self) -> SignalInstance:
        return self.network.changed

    # What they read.

    @property
    def server_url(self) -> str:
        return self._server_url

    @property
    def embedded(self) -> bool:
        return self._embedded is not None

    @property
    def embedded_server(self) -> EmbeddedServer | None:
        return self._embedded

    @property
    def phase(self) -> Phase:
        return self.engine.phase

    @property
    def tokens(self) -> Tokens | None:
        return self.engine.tokens

    @property
    def access_token(self) -> str | None:
        return self.engine.access_token

    @property
    def username(self) -> str | None:
        return self.engine.username

    @property
    def stored_entry(self) -> dict[str, str] | None:
        return self.engine.stored_entry

    @property
    def store_kind(self) -> str:
        return self.stores.kind

    @property
    def store_description(self) -> str:
        return self.stores.description

    # What they ask for.

    @Slot()
    def start(self) -> None:
        """Open the token store, then resume a stored session or ask for a sign-in."""
        self.stores.open()

    @Slot()
    def start_server(self) -> None:
        """Start the embedded server on a worker, once `let_server_start` is called.

        Its port is bound already, so requests made meanwhile wait for it. A window that is
        never painted (its event loop not running) gets the server after a second anyway.
        """
        if self._embedded is not None:
            self.jobs.run(
                Action.START_SERVER,
                "Starting the embedded server…",
                partial(self._start_embedded, self._embedded),
                lambda _: None,
                self._server_failed,
            )

    @Slot()
    def let_server_start(self) -> None:
        self._server_may_start.set()

    def _start_embedded(self, server: EmbeddedServer) -> None:
        self._server_may_start.wait(SERVER_START_AT_THE_LATEST)
        if not self._closed:
            server.start()

    def _server_failed(self, error: Exception) -> None:
        folder = self._embedded.settings.data_dir if self._embedded is not None else ""
        self.engine.tell(
            "The embedded server could not start, so signing in cannot work. It keeps its "
            f"data in {folder}: check that this folder can be written, then start the app "
            f"again (or start it with --server and the URL of a running server). ({error})"
        )

    @Slot()
    def call_api(self) -> None:
        self.api.call_api()

    @Slot()
    def refresh_now(self) -> None:
        self.engine.refresh_now()

    @Slot()
    def shutdown(self) -> None:
        """Stop timers, wait for workers, stop the embedded server; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._server_may_start.set()
        self.engine.close()
        self.jobs.close()
        if self._embedded is not None:
            self._embedded.stop()
