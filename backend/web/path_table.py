"""A router that finds a route of a fixed path in one lookup, not by trying each pattern."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.routing import BaseRoute, Match, Route, Router
from starlette.types import Lifespan, Receive, Scope, Send


def could_take(other: BaseRoute, path: str) -> bool:
    """Whether `other` might answer a request for `path` though its own path is another."""
    if not isinstance(other, Route):
        return True
    return other.path != path and other.path_regex.match(path) is not None


def fixed_path_table(routes: Sequence[BaseRoute]) -> dict[str, list[Route]]:
    """The routes of each path without parameters, in order; a path that a route listed
    before them could also take is left out, so the table never changes which route wins."""
    table: dict[str, list[Route]] = {}
    for index, route in enumerate(routes):
        if not isinstance(route, Route) or route.param_convertors:
            continue
        if any(could_take(other, route.path) for other in routes[:index]):
            continue
        table.setdefault(route.path, []).append(route)
    return table


class PathTableRouter(Router):
    """Starlette's router, with the routes of fixed paths looked up by path first: a request
    for `/account` no longer tries the eight patterns listed before it. Anything the table
    does not settle (another method, a path with parameters, a 404) goes the usual way."""

    def __init__(self, routes: Sequence[BaseRoute], lifespan: Lifespan[Any] | None = None) -> None:
        super().__init__(list(routes), lifespan=lifespan)
        self._fixed = fixed_path_table(self.routes)

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):
            for route in self._fixed.get(scope["path"], ()):
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    scope.setdefault("router", self)
                    scope["route"] = route
                    scope.update(child_scope)
                    await route.handle(scope, receive, send)
                    return
        await super().app(scope, receive, send)
