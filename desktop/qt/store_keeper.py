"""Which store keeps the refresh token: the one asked for, the fallback chosen once, or a choice."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from desktop.core.errors import StorageError, StoreUnavailable
from desktop.qt.actions import Action
from desktop.qt.engine import Phase, SessionEngine
from desktop.storage.kinds import make_store
from desktop.storage.store_choice import StoreChoice


class StoreKeeper(QObject):
    """Opens the store at start-up; where the keyring cannot be used, offers file or memory.

    `problem` says why the store cannot be used ('' once one can); `changed` follows a
    switch to another store.
    """

    problem = Signal(str)
    changed = Signal()

    def __init__(
        self,
        engine: SessionEngine,
        server_url: str,
        data_dir: Path,
        requested: str | None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._engine = engine
        self._server_url = server_url
        self._data_dir = data_dir
        self._choice = StoreChoice(data_dir)
        self._fallback = self._choice.load() if requested is None else None

    @property
    def kind(self) -> str:
        return self._engine.session.store.kind

    @property
    def description(self) -> str:
        return self._engine.session.store.describe()

    @Slot()
    def open(self) -> None:
        """Check the store, then resume a stored session or ask for a sign-in."""
        self._engine.starting()
        self._engine.jobs.run(
            Action.OPEN_STORE,
            "Opening the token store…",
            self._engine.session.store.check,
            lambda _: self._engine.restore(),
            self._open_failed,
        )

    def _open_failed(self, error: Exception) -> None:
        if not isinstance(error, StoreUnavailable | StorageError):
            self._engine.failed(error, Action.OPEN_STORE)
        elif self._fallback is not None and self.kind == "keyring":
            self._use(self._fallback)
            self._engine.settle_notice(
                f"{error} The refresh token is kept in {self.description} instead, as "
                "you chose before. Start with --token-store keyring to choose again."
            )
        else:
            self._engine.set_phase(Phase.CHOOSE_STORE)
            self.problem.emit(str(error))

    @Slot(str)
    def choose(self, kind: str) -> None:
        """Use another store after the keyring turned out unusable, remember it, start over."""
        if self._engine.tokens is not None:
            return
        remember = partial(self._choice.save, kind)
        self._engine.jobs.run(
            Action.REMEMBER_STORE, "", remember, lambda _: None, self._not_remembered
        )
        self._use(kind)

    def _not_remembered(self, error: Exception) -> None:
        self._engine.tell(f"{error} The app will ask again at its next start.")

    def _use(self, kind: str) -> None:
        self._engine.session.store = make_store(kind, self._server_url, self._data_dir)
        self.problem.emit("")
        self.changed.emit()
        self.open()
