"""The real window for a long while: every tab in turn, the API called, the window repainted.

`python -m bench.client.window_soak DATA_DIR --seconds S --access-ttl T` signs up by clicking, then
runs the app's own event loop for S seconds with the embedded server issuing access tokens
of T seconds, and prints one JSON line: the refreshes the app made by itself, the API calls,
whether it is still signed in, None's reference count and resident memory after a warm-up
and at the end, memory along the way, and how many access tokens the embedded server
remembers as verified at the end.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import argparse
import gc
import json
import sys
import time
from dataclasses import asdict, dataclass, field

import PySide6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from backend.core.token_cache import VerifiedTokenCache
from bench.client.window_driver import loop_for, rss_mib, sign_up
from desktop.app import create_window
from desktop.core.events import ApiCalled, SessionEnded, TokensIssued
from desktop.ui.main_window import MainWindow

STEP_SECONDS = 1.0
SAMPLE_SECONDS = 10.0
LONGEST_WARM_UP = 120.0


@dataclass
class Soak:
    """What one run saw."""

    seconds: float
    access_ttl: int
    warm_up: float
    pyside6: str = PySide6.__version__
    python: str = ".".join(map(str, sys.version_info[:3]))
    refreshes: list[tuple[float, float]] = field(default_factory=list)
    api_calls: int = 0
    api_failures: int = 0
    endings: list[str] = field(default_factory=list)
    signed_in_at_end: bool = False
    started_at: float = 0.0
    ended_at: float = 0.0
    none_after_warm_up: int = 0
    none_at_end: int = 0
    rss_after_warm_up_mib: float = 0.0
    rss_at_end_mib: float = 0.0
    rss_samples: list[tuple[float, float]] = field(default_factory=list)
    verified_tokens_at_end: int = 0

    def observe(self, record: object) -> None:
        if isinstance(record, TokensIssued) and record.via == "refresh":
            self.refreshes.append((record.access_issued_at, record.refresh_due_at or 0.0))
        elif isinstance(record, ApiCalled):
            self.api_calls += 1
            self.api_failures += 0 if record.ok else 1
        elif isinstance(record, SessionEnded):
            self.endings.append(str(record.reason))


def verified_tokens_held() -> int:
    """Access tokens the embedded server remembers as verified, in every cache of them."""
    return sum(len(cache) for cache in gc.get_objects() if isinstance(cache, VerifiedTokenCache))


class Rounds:
    """One step a second: the next tab, a call to the API, a repaint of the whole window."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.index = 0
        self.timer = QTimer(window)
        self.timer.setInterval(round(STEP_SECONDS * 1000))
        self.timer.timeout.connect(self.step)

    def step(self) -> None:
        tabs = self.window.tabs
        self.index = (self.index + 1) % tabs.count()
        tabs.setCurrentIndex(self.index)
        self.window.controller.call_api()
        self.window.repaint()


def run(data_dir: str, seconds: float, access_ttl: int) -> Soak:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("jwt-refresh-demo soak")
    argv = ["--data-dir", data_dir, "--token-store", "memory", "--access-ttl", str(access_ttl)]
    window = create_window(argv)
    window.resize(1100, 760)
    window.show()
    soak = Soak(seconds, access_ttl, warm_up=min(LONGEST_WARM_UP, seconds / 3))
    sign_up(window)
    window.controller.happened.connect(soak.observe)
    rounds = Rounds(window)
    rounds.timer.start()
    soak.started_at = time.time()
    loop_for(soak.warm_up)
    soak.none_after_warm_up = sys.getrefcount(None)
    soak.rss_after_warm_up_mib = rss_mib()
    deadline = soak.started_at + seconds
    while time.time() < deadline:
        loop_for(min(SAMPLE_SECONDS, deadline - time.time()))
        soak.rss_samples.append((round(time.time() - soak.started_at, 1), round(rss_mib(), 1)))
    rounds.timer.stop()
    soak.ended_at = time.time()
    soak.none_at_end = sys.getrefcount(None)
    soak.rss_at_end_mib = rss_mib()
    soak.signed_in_at_end = window.controller.access_token is not None
    soak.verified_tokens_at_end = verified_tokens_held()
    window.close()
    return soak


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir")
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--access-ttl", type=int, default=3)
    args = parser.parse_args(argv)
    soak = run(args.data_dir, args.seconds, args.access_ttl)
    print(json.dumps(asdict(soak)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
