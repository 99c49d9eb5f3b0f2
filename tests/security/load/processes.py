"""The server's process as the kernel sees it: its pid (found by data dir) and resident memory."""

from __future__ import annotations

from pathlib import Path

from tests.support.server_process import ServerProcess


def server_pid(server: ServerProcess) -> int:
    """The pid of the running `python -m backend` that serves `server.data_dir`."""
    data_dir = str(server.data_dir).encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"backend" in arguments and data_dir in arguments:
            return int(entry.name)
    raise AssertionError(f"no server process serves {server.data_dir}")


def resident_bytes(pid: int) -> int:
    """VmRSS of a process, from /proc/PID/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"process {pid} reports no VmRSS")
