"""Start the app: parse the command line, start what is needed, wire the window; nothing else."""

from __future__ import annotations

import os
import sys
from importlib import resources

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from desktop.interrupts import QuitOnSignals
from desktop.options import parse_options
from desktop.qt.controller import Controller
from desktop.qt.embedded import bind_embedded
from desktop.qt.first_paint import FirstPaint
from desktop.qt.none_check import none_leak_problem
from desktop.qt.theme import apply_theme
from desktop.storage.private import private_dir
from desktop.teaching.install import install_teaching_panels
from desktop.ui.main_window import MainWindow

NO_DISPLAY = """jwt-refresh-demo needs a display, and this session has none
(neither DISPLAY nor WAYLAND_DISPLAY is set).

Run it under a virtual display:
    xvfb-run -a -s "-screen 0 1280x800x24" python3 tasks.py run
or start the auth server alone:
    python3 tasks.py server
or choose a Qt platform yourself, e.g. QT_QPA_PLATFORM=offscreen.
"""


def has_display() -> bool:
    """False on a Linux session without a display server, where Qt would abort."""
    if not sys.platform.startswith("linux"):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def resource_path(name: str) -> str:
    return str(resources.files("desktop") / "resources" / name)


def create_window(argv: list[str]) -> MainWindow:
    """Parse the command line, bind the embedded server's port if needed, build the window.

    The window is neither shown nor is the event loop entered. Once the window is first
    painted (when the event loop runs, for a window not shown by then; after a second at
    the latest), the token store opens (with the keyring store, `keyring` loads then) and
    the embedded server starts, both on workers: their code stays out of the way of the
    first screen, and requests made before the server serves wait on its port. Closing the window
    stops the server and the workers it started. A QApplication must exist.
    """
    if QApplication.instance() is None:
        raise RuntimeError("create a QApplication before calling create_window")
    options = parse_options(argv)
    private_dir(options.data_dir)
    embedded = None
    url = options.server
    if url is None:
        embedded = bind_embedded(options.data_dir, options.access_ttl)
        url = embedded.url
    window = MainWindow(Controller(url, options.data_dir, options.token_store, embedded))
    install_teaching_panels(window, window.controller)
    apply_theme(window)
    window.setWindowIcon(QIcon(resource_path("icon.svg")))
    controller = window.controller
    controller.start_server()

    def after_first_paint() -> None:
        controller.let_server_start()
        controller.start()

    FirstPaint(window, after_first_paint)
    return window


def main(argv: list[str] | None = None) -> int:
    if not has_display():
        print(NO_DISPLAY, end="", file=sys.stderr)  # noqa: T201 (the one message to the console)
        return 2
    app = QApplication(sys.argv[:1])
    problem = none_leak_problem()
    if problem is not None:
        sys.stderr.write(f"jwt-refresh-demo: cannot start: {problem}\n")
        return 1
    interrupts = QuitOnSignals(app.quit)
    app.setApplicationName("jwt-refresh-demo")
    app.setApplicationDisplayName("JWT refresh demo")
    app.setStyle("Fusion")
    try:
        window = create_window(sys.argv[1:] if argv is None else argv)
    except (OSError, RuntimeError) as error:
        interrupts.close()
        sys.stderr.write(f"jwt-refresh-demo: cannot start: {error}\n")
        return 1
    app.aboutToQuit.connect(window.close)
    window.show()
    try:
        return app.exec()
    finally:
        interrupts.close()
