"""The OpenAPI document and the routes agree, both ways."""

from __future__ import annotations

from backend.web.app import ROUTES
from backend.web.openapi import openapi_document
from tests.support.api import Api


def routes_of_app() -> set[tuple[str, str]]:
    return {
        (route.path, method.lower())
        for route in ROUTES
        for method in (route.methods or set())
        if method != "HEAD"
    }


def test_every_route_is_documented_and_every_documented_route_exists() -> None:
    document = openapi_document("http://127.0.0.1:8000")
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert documented == routes_of_app()


def test_served_document_names_the_server(api: Api) -> None:
    document = api.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": api.base_url}]


def test_every_documented_error_status_has_the_error_schema() -> None:
    document = openapi_document("")
    for item in document["paths"].values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}
