"""Whether a server really rotates: a refresh token, once used, must be refused afterwards."""

from __future__ import annotations

from dataclasses import dataclass

import requests

from bench.peers.contenders import Shape


def present(url: str, shape: Shape, token: str) -> tuple[int, str | None]:
    """POST one refresh in the server's shape; its status and the refresh token it answered."""
    response = requests.post(
        url + shape.path,
        data=shape.body_for(token),
        headers={"Content-Type": shape.content_type},
        timeout=30,
    )
    if not response.ok:
        return response.status_code, None
    successor = response.json().get(shape.answer_key)
    return response.status_code, successor if isinstance(successor, str) else None


@dataclass(frozen=True)
class Check:
    """What the server answered at each step, and whether it rotated."""

    steps: tuple[str, ...]
    rotates: bool

    def __str__(self) -> str:
        verdict = "rotates" if self.rotates else "does NOT rotate: not timed"
        return f"{'; '.join(self.steps)}: {verdict}"


def check(url: str, shape: Shape, first: str) -> Check:
    """Refresh A for B, B for C, then present A again: only a refusal counts as rotation.

    A is presented after two rotations, not one: our server answers the immediate
    predecessor of the current token within its reuse grace (10 s) with the current token
    again, on purpose, for a client whose answer was lost; a token further back is refused.
    """
    steps: list[str] = []
    tokens = {first: "A"}
    token = first
    for name in ("B", "C"):
        status, successor = present(url, shape, token)
        if successor is None or successor in tokens:
            steps.append(f"{tokens[token]} → {status} without a new refresh token")
            return Check(tuple(steps), rotates=False)
        steps.append(f"{tokens[token]} → {status}, new token {name}")
        tokens[successor] = name
        token = successor
    status, _ = present(url, shape, first)
    refused = not 200 <= status < 300
    steps.append(f"A again → {status}, {'refused' if refused else 'accepted'}")
    return Check(tuple(steps), rotates=refused)
