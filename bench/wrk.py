"""Running wrk with one of bench/lua's scripts and reading the summary it prints."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.launch import pinned

LUA = Path(__file__).resolve().parent / "lua"
SUMMARY_PREFIX = "BENCH "


@dataclass(frozen=True)
class Load:
    """One wrk run: what to hit, how hard and for how long."""

    url: str
    script: str
    args: tuple[str, ...] = ()
    connections: int = 32
    seconds: float = 5.0
    cores: str | None = None


@dataclass(frozen=True)
class Result:
    """What wrk measured: rate, latency percentiles in ms, and every kind of failure."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    non2xx: int
    socket_errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def failures(self) -> int:
        return self.non2xx + self.socket_errors


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")
    return path


def script_file(name: str, directory: Path) -> Path:
    """common.lua followed by the scenario's script, as one file (wrk takes a single script)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.lua"
    path.write_text((LUA / "common.lua").read_text() + "\n" + (LUA / f"{name}.lua").read_text())
    return path


def command(load: Load, directory: Path) -> list[str]:
    """The wrk command line for `load`, pinned when it names cores."""
    duration = max(1, round(load.seconds))
    return pinned(
        [wrk_path(), "-t1", f"-c{load.connections}", f"-d{duration}s", "--timeout", "5s",
         "-s", str(script_file(load.script, directory)), load.url, "--", *load.args],
        load.cores,
    )  # fmt: skip


def parse(output: str) -> Result:
    """The summary line that common.lua's done() prints."""
    for line in output.splitlines():
        if line.startswith(SUMMARY_PREFIX):
            data = json.loads(line.removeprefix(SUMMARY_PREFIX))
            return Result(
                requests=data["requests"],
                seconds=data["duration_us"] / 1e6,
                p50_ms=data["p50_us"] / 1000,
                p99_ms=data["p99_us"] / 1000,
                non2xx=data["non2xx"],
                socket_errors=sum(data[key] for key in ("connect", "read", "write", "timeout")),
            )
    raise RuntimeError(f"wrk printed no summary:\n{output}")


def start(load: Load, directory: Path) -> subprocess.Popen[str]:
    """Start wrk in the background; `finish` waits for it and returns its result."""
    return subprocess.Popen(
        command(load, directory), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def finish(process: subprocess.Popen[str], timeout: float = 60.0) -> Result:
    output, _ = process.communicate(timeout=timeout)
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed ({process.returncode}):\n{output}")
    return parse(output)


def run(load: Load, directory: Path) -> Result:
    """Run wrk to completion and return its result."""
    return finish(start(load, directory), timeout=load.seconds + 30)
