"""The OpenAPI document and the routes agree, both ways."""

from __future__ import annotations

from backend.web.app import ROUTES
from backend.web.openapi import openapi_document
from tests.support.api import Api

PAGES = {"/oauth/authorize", "/oauth/sign-up"}


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


def test_every_documented_error_status_has_the_error_schema_or_is_a_page() -> None:
    document = openapi_document("")
    for path, item in document["paths"].items():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if int(status) < 400:
                    continue
                if "text/html" in response["content"]:
                    assert path in PAGES, path
                    continue
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}


def test_every_page_route_answers_html_as_documented(api: Api) -> None:
    for path in PAGES:
        response = api.http.get(api.base_url + path, allow_redirects=False)
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("text/html")
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
