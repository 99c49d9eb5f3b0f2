"""The top-level window: header, banners, the session pages and panels as tabs, the event log."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.qt.actions import Action
from desktop.qt.controller import Controller
from desktop.qt.engine import Phase
from desktop.qt.theme import apply_theme
from desktop.ui.banner import Banner
from desktop.ui.countdown import OnScreenTicker, seconds_left, until_next_second
from desktop.ui.event_log import EventLog
from desktop.ui.overview import Overview
from desktop.ui.sessions import SessionsPanel
from desktop.ui.sign_in import SignInForm
from desktop.ui.status_line import StatusLine

# The smallest window the app allows; every tab scrolls rather than squeezes below its needs.
MINIMUM_SIZE = (760, 560)


def scrolling(page: QWidget) -> QScrollArea:
    """`page` in a frameless scroll area: given all the room there is, scrolled when it is short.

    A tab's page asks for its minimum size; in a small window the scroll area shows part of
    it at that size instead of squeezing its rows on top of each other, and scrolls to the
    control that takes the keyboard focus.
    """
    area = QScrollArea()
    area.setObjectName(f"{page.objectName() or 'page'}Scroll")
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setWidget(page)
    return area


class MainWindow(QMainWindow):
    """Everything the user sees; teaching panels join as tabs through `add_panel`."""

    def __init__(self, controller: Controller) -> None:
        super().__init__()
        self.controller = controller
        controller.setParent(self)
        self.engine, self.stores = controller.engine, controller.stores
        self.network, self.jobs = controller.network, controller.jobs
        self.setObjectName("mainWindow")
        self.setWindowTitle("JWT refresh demo")
        self.setMinimumSize(*MINIMUM_SIZE)
        self.resize(1100, 760)

        title = QLabel("JWT refresh demo")
        title.setObjectName("appTitle")
        self.server_label = QLabel()
        self.server_label.setObjectName("serverLabel")
        self.server_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header = QFrame()
        header.setObjectName("header")
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(16, 10, 16, 10)
        header_layout.addWidget(title)
        header_layout.addStretch(1)
        header_layout.addWidget(self.server_label)

        self.store_banner = Banner("warning", "storeBanner")
        self.use_file = self.store_banner.add_button("Use a file (0600)", "useFileStoreButton")
        self.use_memory = self.store_banner.add_button("Memory only", "useMemoryStoreButton")
        self.offline_banner = Banner("error", "offlineBanner")
        self.retry_button = self.offline_banner.add_button("Retry now", "retryNowButton")
        self.persist_banner = Banner("warning", "persistBanner")
        self.notice_banner = Banner("info", "noticeBanner")
        self.dismiss_notice = self.notice_banner.add_button("Dismiss", "dismissNoticeButton")

        self.starting = QLabel("Starting…")
        self.starting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.starting.setObjectName("muted")
        self.sign_in = SignInForm()
        self.overview = Overview(self.engine, controller.api, self.jobs, self.stores)
        self.pages = QStackedWidget()
        self.pages.setObjectName("pages")
        for page in (self.starting, self.sign_in, self.overview):
            self.pages.addWidget(page)
        self.sessions = SessionsPanel(self.engine, controller.api, self.jobs)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("panels")
        self.tabs.setDocumentMode(True)
        self.tabs.tabBar().setDrawBase(False)
        self.tabs.addTab(scrolling(self.pages), "Session")
        self.tabs.addTab(scrolling(self.sessions), "Sessions")

        self.event_log = EventLog()
        log_box = QFrame()
        log_box.setObjectName("logBox")
        log_layout = QVBoxLayout(log_box)
        log_layout.setContentsMargins(0, 4, 0, 0)
        log_title = QLabel("Event log: every request to the server, tokens shortened")
        log_title.setObjectName("cardTitle")
        log_layout.addWidget(log_title)
        log_layout.addWidget(self.event_log)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tabs)
        splitter.addWidget(log_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([590, 120])

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(16, 12, 16, 8)
        body_layout.setSpacing(8)
        for banner in (
            self.store_banner,
            self.offline_banner,
            self.persist_banner,
            self.notice_banner,
        ):
            body_layout.addWidget(banner)
        body_layout.addWidget(splitter, 1)
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(header)
        central_layout.addWidget(body, 1)
        self.setCentralWidget(central)

        self.status_line = StatusLine()
        self.store_label = QLabel()
        self.store_label.setObjectName("muted")
        self.statusBar().addWidget(self.status_line, 1)
        self.statusBar().addPermanentWidget(self.store_label)
        self.statusBar().setSizeGripEnabled(False)

        for arrow in self.tabs.tabBar().findChildren(QToolButton):
            arrow.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the arrow keys move between tabs
        self._keep_log_last()
        self.countdown = OnScreenTicker(self, self._show_offline)
        self._connect()
        self._describe_server()
        self._phase_changed(self.engine.phase)

    def add_panel(self, title: str, widget: QWidget) -> int:
        """Add a panel as a tab after the built-in ones, in a scroll area; returns its index."""
        index = self.tabs.addTab(scrolling(widget), title)
        self._keep_log_last()
        return index

    def _keep_log_last(self) -> None:
        """The event log after every tab's controls in the keyboard order, as it is below them."""
        last: QWidget = self.tabs
        widget = self.tabs.nextInFocusChain()
        while widget is not None and widget is not self.tabs:
            if self.tabs.isAncestorOf(widget):
                last = widget
            widget = widget.nextInFocusChain()
        QWidget.setTabOrder(last, self.event_log)

    def show_tab_holding(self, widget: QWidget) -> None:
        """Bring the tab whose page holds `widget` to the front."""
        page: QWidget | None = widget
        while page is not None and self.tabs.indexOf(page) < 0:
            page = page.parentWidget()
        if page is None:
            raise LookupError(f"{widget.objectName() or widget} is on no tab")
        self.tabs.setCurrentWidget(page)

    def _connect(self) -> None:
        engine, stores = self.engine, self.stores
        engine.happened.connect(self.event_log.append_event)
        engine.phase_changed.connect(self._phase_changed)
        self.jobs.status.connect(self.status_line.show_status)
        self.jobs.busy_changed.connect(self._busy_changed)
        engine.notice.connect(self._notice)
        stores.problem.connect(self._store_problem)
        engine.persist_warning.connect(self.persist_banner.set_text)
        self.network.changed.connect(lambda *_: self._show_offline())
        engine.signed_out.connect(self.sign_in.show_reason)
        engine.tokens_changed.connect(self._describe_store)
        stores.changed.connect(self._describe_store)
        self.sign_in.sign_in_requested.connect(engine.sign_in)
        self.sign_in.sign_up_requested.connect(engine.sign_up)
        self.sign_in.browser_requested.connect(engine.sign_in_with_browser)
        self.sign_in.browser_cancel_requested.connect(engine.cancel_browser_sign_in)
        engine.browser_waiting.connect(self.sign_in.show_browser_address)
        engine.came_back.connect(self.come_forward)
        self.use_file.clicked.connect(lambda: stores.choose("file"))
        self.use_memory.clicked.connect(lambda: stores.choose("memory"))
        self.retry_button.clicked.connect(engine.retry_now)
        self.dismiss_notice.clicked.connect(lambda: self.notice_banner.set_text(""))

    def _describe_server(self) -> None:
        kind = "embedded server" if self.controller.embedded else "external server"
        self.server_label.setText(f"{self.controller.server_url}  ·  {kind}")
        self.sign_in.set_server(f"to {self.controller.server_url} ({kind})")
        self._describe_store()

    def _describe_store(self) -> None:
        where = self.stores.description
        if self.engine.phase == Phase.CHOOSE_STORE:
            where = "nowhere yet (choose above)"
        self.store_label.setText(f"Refresh token kept in: {where}")
        self.sign_in.set_store_note(
            f"After sign-in only the refresh token is kept, in: {where}. "
            "The password is never stored."
        )

    def _phase_changed(self, phase: Phase) -> None:
        page = {
            Phase.STARTING: self.starting,
            Phase.CHOOSE_STORE: self.sign_in,
            Phase.SIGNED_OUT: self.sign_in,
            Phase.SIGNED_IN: self.overview,
        }[phase]
        self.pages.setCurrentWidget(page)
        self.sign_in.set_busy(phase != Phase.SIGNED_OUT)
        if phase == Phase.SIGNED_OUT:
            self.sign_in.username.setFocus()
        if phase != Phase.SIGNED_IN:
            self.notice_banner.set_text("")
        self.overview.update_view()
        self._describe_store()

    def come_forward(self) -> None:
        """Back from the browser: show the window in front of it."""
        if self.isMinimized():
            self.showNormal()
        self.raise_()
        self.activateWindow()

    def _busy_changed(self, action: Action, running: bool) -> None:
        if action in {Action.SIGN_IN, Action.BROWSER_SIGN_IN}:
            self.sign_in.set_busy(running or self.engine.phase != Phase.SIGNED_OUT)
        if action == Action.REFRESH:
            self._show_offline()
        if action == Action.BROWSER_SIGN_IN:
            self.sign_in.set_browser_waiting(running)
        if action in {Action.OPEN_STORE, Action.REFRESH}:
            self.retry_button.setEnabled(not running)
            self.use_file.setEnabled(not running)
            self.use_memory.setEnabled(not running)

    def _notice(self, text: str) -> None:
        if self.engine.phase == Phase.SIGNED_IN:
            self.notice_banner.set_text(text)
        else:
            self.sign_in.show_error(text)
            form = self.sign_in
            (form.password if form.username.text() else form.username).setFocus()

    def _store_problem(self, text: str) -> None:
        if text:
            text += (
                " Choose where to keep the refresh token instead: a file only you can read"
                " (survives restarts) or memory only (sign in again next time). The app"
                " remembers your choice."
            )
        self.store_banner.set_text(text)
        self._describe_store()

    def _show_offline(self) -> None:
        """The offline banner with its retry countdown, renewed once a second while shown."""
        message = self.network.message
        retry_at = self.engine.retry_at
        if not message:
            self.countdown.stop()
            self.offline_banner.set_text("")
            return
        now = self.engine.clock.wall()
        lifetime = self.engine.lifetime
        if lifetime is not None and not lifetime.is_expired(now):
            left = seconds_left(lifetime.expires_at - now)
            using = f"You are still signed in: the current access token works for {left} more."
        else:
            using = (
                "You are still signed in, but no access token is valid until the server"
                " answers, so calls to the API wait."
            )
        refreshing = self.jobs.is_running(Action.REFRESH)
        if refreshing:
            retry = "Trying again now…"
        elif retry_at:
            retry = f"The app tries again in {seconds_left(retry_at - now)}, or press Retry now."
        else:
            retry = ""
        self.offline_banner.set_text(f"{message} {using} {retry}".strip())
        due_in = None if refreshing or not retry_at else retry_at - now
        self.countdown.after(until_next_second(due_in) if due_in and due_in > 0 else None)

    def event(self, event: QEvent) -> bool:
        """Follow the system when it switches between a light and a dark palette."""
        if event.type() == QEvent.Type.ApplicationPaletteChange:
            apply_theme(self)
        return super().event(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.countdown.stop()
        self.overview.ticker.stop()
        self.sign_in.close_estimates()
        self.controller.shutdown()
        super().closeEvent(event)
