"""The fixed-path table in front of the router never changes which route answers."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from backend.web.app import ROUTES
from backend.web.path_table import fixed_path_table


async def endpoint(request: Request) -> Response:
    return Response()


def test_every_fixed_path_of_the_server_is_in_the_table() -> None:
    table = fixed_path_table(ROUTES)
    fixed = {route.path for route in ROUTES if isinstance(route, Route) and "{" not in route.path}
    assert set(table) == fixed
    assert all(route.path == path for path, routes in table.items() for route in routes)


def test_a_path_an_earlier_pattern_also_takes_is_left_to_the_router() -> None:
    earlier = Route("/sessions/{session_id}", endpoint, methods=["GET"])
    later = Route("/sessions/current", endpoint, methods=["GET"])
    unrelated = Route("/account", endpoint, methods=["GET"])
    assert set(fixed_path_table([earlier, later, unrelated])) == {"/account"}
    assert set(fixed_path_table([later, earlier, unrelated])) == {"/sessions/current", "/account"}


def test_routes_after_a_mount_are_left_to_the_router() -> None:
    mounted = Mount("/static", routes=[])
    before = Route("/health", endpoint)
    after = Route("/account", endpoint)
    assert set(fixed_path_table([before, mounted, after])) == {"/health"}


def test_each_method_of_a_path_keeps_its_order() -> None:
    read = Route("/oauth/authorize", endpoint, methods=["GET"])
    submit = Route("/oauth/authorize", endpoint, methods=["POST"])
    assert fixed_path_table([read, submit]) == {"/oauth/authorize": [read, submit]}
