"""/api/v1/docs and /api/v1/openapi.json: served to members, with no script from elsewhere."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from conftest import sign_in
from peerhaven.accounts.tests.factories import make_member
from peerhaven.api.tests.conftest import bearer_for

pytestmark = pytest.mark.django_db


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.styled: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
        if "style" in attributes:
            self.styled.append(tag)


def test_it_serves_the_docs_page_without_inline_or_foreign_scripts() -> None:
    response = sign_in(Client(), make_member(verified=True)).get("/api/v1/docs")
    assert response.status_code == 200
    parser = _Scripts()
    parser.feed(response.content.decode())
    sources = [script.get("src") for script in parser.scripts if script.get("type") != "application/json"]
    assert all(sources), "an inline script would be blocked by the CSP"
    assert all(str(src).startswith("/static/") for src in sources)
    assert "/static/api/swagger/swagger-ui-bundle.js" in sources
    assert not parser.styled
    for path in ("api/swagger/swagger-ui-bundle.js", "api/swagger/swagger-ui.css", "api/docs.js"):
        assert finders.find(path), path
    csp = response["Content-Security-Policy"]
    assert re.search(r"script-src 'self'(;|$)", csp)


def test_it_gives_swagger_its_settings_as_json_data() -> None:
    response = sign_in(Client(), make_member(verified=True)).get("/api/v1/docs")
    match = re.search(
        r'<script id="swagger-settings" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    assert match is not None
    settings = json.loads(match.group(1))
    assert settings["url"] == "/api/v1/openapi.json"
    assert settings["validatorUrl"] is None


def test_it_serves_a_valid_schema_listing_every_operation() -> None:
    response = Client().get("/api/v1/openapi.json", **bearer_for(make_member(verified=True)))
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    operations = {
        (method, path) for path, item in schema["paths"].items() for method in item
    }
    assert ("get", "/api/v1/me") in operations
    assert ("patch", "/api/v1/me") in operations
    assert ("get", "/api/v1/me/licence") in operations
    assert ("get", "/api/v1/notifications") in operations
    assert set(schema["components"]["securitySchemes"]) == {"SessionAuth", "TokenAuth"}
    patch = schema["paths"]["/api/v1/me"]["patch"]
    assert {"200", "401", "403", "422"} <= set(patch["responses"])
    assert patch["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ValidationErrorOut")


def test_it_validates_as_openapi() -> None:
    from schemathesis.openapi import from_dict

    response = Client().get("/api/v1/openapi.json", **bearer_for(make_member(verified=True)))
    loaded = from_dict(json.loads(response.content))
    assert len(list(loaded.get_all_operations())) >= 6


def test_it_sends_visitors_to_sign_in_for_the_docs() -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fapi%2Fv1%2Fdocs"
