"""What machine a benchmark ran on: cores, CPU model, Python, date."""

from __future__ import annotations

import datetime
import os
import platform
from pathlib import Path


def cpu_model() -> str:
    """The first `model name` of /proc/cpuinfo, or the platform's processor string."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def describe() -> str:
    """One line: date, cores, CPU model, OS, Python."""
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")
    return (
        f"{today}, nproc {os.cpu_count()}, CPU {cpu_model()}, "
        f"Linux {platform.release()}, Python {platform.python_version()}"
    )
