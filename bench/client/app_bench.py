"""The desktop app's start-up time, memory signed in and idle CPU, measured in its own process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.launch import ROOT


def measure(workdir: Path, idle_seconds: float) -> dict:
    """Launch bench.client.app_probe (the real window, offscreen) and return what it measured."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    launched_at = time.time()
    probe = [sys.executable, "-m", "bench.client.app_probe"]
    completed = subprocess.run(
        [*probe, repr(launched_at), str(workdir), str(idle_seconds)],
        capture_output=True,
        text=True,
        env=env,
        timeout=idle_seconds + 180,
        check=False,
    )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        raise RuntimeError(f"the app probe failed:\n{completed.stdout}\n{completed.stderr}")
    return {**json.loads(lines[-1]), "idle_seconds": idle_seconds}


IDLE_WAYS = (
    ("idle_shown", "shown, untouched"),
    ("idle_minimised", "minimised"),
    ("idle_hidden", "hidden"),
)


def idle_line(idle: dict, how: str, seconds: float) -> str:
    threads = ", ".join(f"{name} {rate:.1f}/s" for name, rate in idle["wakeups_by_thread"].items())
    return (
        f"- idle CPU over {seconds:g} s signed in, {how}: {idle['cpu_percent']:.2f} % of one"
        f" core, {idle['wakeups_per_second']:.1f} wake-ups/s ({threads or 'none'})"
    )


def render(measured: dict) -> str:
    seconds = measured["idle_seconds"]
    return "\n".join(
        [
            "Desktop app (offscreen, embedded server, memory token store):",
            f"- launch to first painted window: {measured['first_window_seconds']:.2f} s"
            f" (Python, imports and QApplication: {measured['qapplication_seconds']:.2f} s)",
            f"- resident memory after sign-in: {measured['rss_signed_in_mib']:.0f} MiB"
            " (app and embedded server in one process)",
            *(idle_line(measured[key], how, seconds) for key, how in IDLE_WAYS),
        ]
    )
