"""schemathesis over /api/v1: generated requests, valid and invalid, against every operation, as
a verified member holding every scope. No answer may be a 5xx, and every answer must match the
documented status codes, content type and schema.

Each operation is its own pytest test driving schemathesis' Hypothesis strategy, rather than
`schema.parametrize()` on a fixture-loaded schema: that lazy path sets `node._nodeid`, which
pytest 9 no longer has, and the schema cannot be loaded at import (it is for members only, and
the token needs the test database).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks

from config.wsgi import application
from peerhaven.accounts.tests.factories import make_member
from peerhaven.api.api import api
from peerhaven.api.tests.conftest import ALL_SCOPES, bearer_for

_CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def _cases() -> list[tuple[str, str, GenerationMode]]:
    """Every documented operation, positive; negative too where there is input to get wrong."""
    cases = []
    for path, item in api.get_openapi_schema()["paths"].items():
        for method, operation in item.items():
            cases.append((method.upper(), path, GenerationMode.POSITIVE))
            if operation.get("parameters") or "requestBody" in operation:
                cases.append((method.upper(), path, GenerationMode.NEGATIVE))
    return cases


# from_wsgi calls through Django's own handler, which closes connections at the end of each
# request: the test needs a transactional database rather than one rolled back around it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(("method", "path", "mode"), _cases())
def test_it_answers_every_generated_request_as_documented(method: str, path: str, mode: GenerationMode) -> None:
    member = make_member(verified=True)
    headers = {"Authorization": bearer_for(member, ALL_SCOPES)["HTTP_AUTHORIZATION"]}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, headers=headers)
    operation = schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        database=None,
    )
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=_CHECKS)

    run()
