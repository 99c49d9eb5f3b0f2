"""What a request puts in the log is escaped: no forged lines, no terminal escape sequences."""

from __future__ import annotations

import pytest

from tests.security.figures import FIGURES
from tests.support.raw import send

SUITE = "log lines a request tried to forge, escaped"
FORGED = "FORGED-LINE ERROR db corrupt"
PATHS = {
    "line-feed": "/x%0AFORGED-LINE%20ERROR%20db%20corrupt",
    "carriage-return": "/x%0DFORGED-LINE%20ERROR%20db%20corrupt",
    "both": "/x%0D%0AFORGED-LINE%20ERROR%20db%20corrupt",
    "next-line-u0085": "/x%C2%85FORGED-LINE%20ERROR%20db%20corrupt",
    "line-separator-u2028": "/x%E2%80%A8FORGED-LINE%20ERROR%20db%20corrupt",
    "clear-screen-escape": "/%1B%5B2J%1B%5BH/FORGED-LINE%20ERROR%20db%20corrupt",
    "seed-route": "/tokens/a%0AFORGED-LINE%20ERROR%20db%20corrupt/refresh",
}


@pytest.mark.parametrize("name", list(PATHS))
def test_control_characters_in_a_path_are_escaped_in_the_log(start_server, name: str) -> None:
    server = start_server()
    answer = send(server.url, "POST" if name == "seed-route" else "GET", PATHS[name])
    assert answer.status_code in {400, 404}
    logged = server.logged(FORGED)
    assert logged, server.log
    for line in server.log:
        assert not line.startswith(FORGED), line
        for raw in ("\x1b", "\u2028", "\x85", "\r"):
            assert raw not in line, repr(line)
    assert any("\\" in line for line in logged), logged
    FIGURES.tally(SUITE)
