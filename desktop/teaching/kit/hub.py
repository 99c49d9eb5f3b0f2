"""What the teaching panels need from the app, and their one stream of records (the hub)."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, Signal, SignalInstance

from backend import EmbeddedServer


class TeachingController(Protocol):
    """The few things the panels use of the app's controller."""

    @property
    def happened(self) -> SignalInstance: ...

    @property
    def access_token(self) -> str | None: ...

    @property
    def stored_entry(self) -> dict[str, str] | None: ...

    @property
    def store_kind(self) -> str: ...

    @property
    def store_description(self) -> str: ...

    @property
    def server_url(self) -> str: ...

    @property
    def embedded(self) -> bool: ...

    @property
    def embedded_server(self) -> EmbeddedServer | None: ...

    def call_api(self) -> None: ...

    def refresh_now(self) -> None: ...


class TeachingHub(QObject):
    """One stream of records for the panels: the controller's events plus the demo's own."""

    happened = Signal(object)

    def __init__(self, controller: TeachingController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        controller.happened.connect(self.happened.emit)

    def publish(self, record: object) -> None:
        """Add a record of the panels' own (the simulated attacker, a server restart)."""
        self.happened.emit(record)
