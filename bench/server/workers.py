"""N server processes on one port (SO_REUSEPORT) sharing one data dir: the scale-out experiment.

`python -m bench.server.workers --workers N [server options]` prints the server's ready line once
every worker accepts connections, and stops them all on SIGTERM or Ctrl-C. The server's own
command line has no such option; this is how several workers would share a machine.
"""

from __future__ import annotations

import argparse
import multiprocessing
import signal
import socket
import sys
import threading
from dataclasses import replace
from multiprocessing.synchronize import Event

from backend.runner import build_server, run
from backend.settings import Settings, parse_settings
from backend.sockets import base_url
from backend.web.app import build_service


def reuseport_socket(host: str, port: int, listen: bool) -> socket.socket:
    """A TCP socket on (host, port) in the port's SO_REUSEPORT group."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    if listen:
        sock.listen(2048)
    return sock


def worker(settings: Settings, ready: Event) -> None:
    """One server process: its own socket in the group, event loop and database connection."""
    sock = reuseport_socket(settings.host, settings.port, listen=True)
    run(build_server(settings, sock), sock, lambda _url: ready.set())


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.server.workers")
    parser.add_argument("--workers", type=int, default=2)
    args, server_argv = parser.parse_known_args(argv)
    settings = parse_settings(server_argv)
    reserved = reuseport_socket(settings.host, settings.port, listen=False)
    url = base_url(reserved)
    settings = replace(settings, port=reserved.getsockname()[1], issuer=url)
    build_service(settings).close()
    context = multiprocessing.get_context("spawn")
    readies = [context.Event() for _ in range(args.workers)]
    processes = [context.Process(target=worker, args=(settings, ready)) for ready in readies]
    for process in processes:
        process.start()
    if not all(ready.wait(60) for ready in readies):
        for process in processes:
            process.kill()
        sys.stderr.write("a worker did not start\n")
        return 1
    sys.stdout.write(f"listening on {url}\n")
    sys.stdout.flush()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.5) and all(process.is_alive() for process in processes):
        pass
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(15)
    reserved.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
