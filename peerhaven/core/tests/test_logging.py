"""No user content in logs: canaries planted in forms, passwords, query strings and exception
messages never reach the configured log output, even when the requests fail."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from peerhaven.accounts.tests.factories import make_member
from peerhaven.core.logging import ScrubUserContentFilter
from peerhaven.core.policies import public

pytestmark = pytest.mark.django_db

CANARY = "canary-7f3a9c"


@public
def _parse_number(request: HttpRequest) -> HttpResponse:
    # ValueError("invalid literal for int() with base 10: '<input>'") quotes the input.
    return HttpResponse(str(int(request.GET["n"])))


@public
def _fail_with_posted_text(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(f"could not handle note {request.POST.get('note', '')!r}")


# A test-only URL map (ROOT_URLCONF points here in the tests that need a view that fails).
urlpatterns = [
    path("parse/", _parse_number),
    path("fail/", _fail_with_posted_text),
]


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Points the configured console handler (with its scrub filter and formatter) at a buffer."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    assert any(isinstance(f, ScrubUserContentFilter) for f in handler.filters)
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    cache.clear()  # the contact form's rate limit lives in the cache
    try:
        yield buffer
    finally:
        handler.setStream(previous)
        cache.clear()


def _assert_logged_without_canary(buffer: io.StringIO, *expected: str) -> str:
    text = buffer.getvalue()
    for fragment in expected:
        assert fragment in text, f"expected {fragment!r} in the log (so the request did log)"
    assert CANARY not in text
    return text


def test_it_keeps_a_rejected_contact_message_out_of_the_log(log_output: io.StringIO) -> None:
    response = Client().post(
        "/contact/",
        {"email": f"not-an-address-{CANARY}", "subject": f"subject {CANARY}", "message": f"my client {CANARY}"},
    )
    assert response.status_code == 400
    _assert_logged_without_canary(log_output, "Bad Request: /contact/")


def test_it_keeps_log_in_attempts_out_of_the_log(log_output: io.StringIO) -> None:
    member = make_member()
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"login": f"{CANARY}@example.org", "password": f"pw-{CANARY}"})
    client.post("/accounts/login/", {"login": member.email, "password": f"pw-{CANARY}"})

    text = _assert_logged_without_canary(log_output, "AXES: Locking out")
    assert member.email not in text


def test_it_keeps_the_query_string_of_a_missing_page_out_of_the_log(log_output: io.StringIO) -> None:
    response = Client().get("/no-such-page/", {"q": CANARY})
    assert response.status_code == 404
    _assert_logged_without_canary(log_output, "Not Found: /no-such-page/")


@override_settings(ROOT_URLCONF=__name__)
def test_it_withholds_an_exception_message_quoting_input(log_output: io.StringIO) -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/parse/", {"n": CANARY})
    assert response.status_code == 500

    text = _assert_logged_without_canary(log_output, "Internal Server Error: /parse/", "ValueError")
    # Where it failed is kept; what it said is not.
    assert "in _parse_number" in text
    assert "(message withheld)" in text


@override_settings(ROOT_URLCONF=__name__)
def test_it_keeps_a_posted_form_out_of_a_500_report(log_output: io.StringIO) -> None:
    client = Client(raise_request_exception=False)
    response = client.post(f"/fail/?ref={CANARY}", {"note": f"about my client {CANARY}"})
    assert response.status_code == 500
    _assert_logged_without_canary(log_output, "Internal Server Error: /fail/", "RuntimeError")


def test_it_scrubs_query_strings_from_access_log_lines(log_output: io.StringIO) -> None:
    # runserver's access log passes the request line as an argument: the path stays, the
    # query string goes.
    logging.getLogger("django.server").info('"%s" %s %s', f"GET /search/?q={CANARY} HTTP/1.1", 200, 512)
    _assert_logged_without_canary(log_output, '"GET /search/?… HTTP/1.1" 200 512')


def test_it_withholds_sql_parameters(log_output: io.StringIO) -> None:
    logging.getLogger("django.db.backends").info(
        "(%.3f) %s; args=%s", 0.001, "SELECT 1 WHERE x = %s", (CANARY,)
    )
    _assert_logged_without_canary(log_output, "SQL query (parameters withheld)")


def test_it_withholds_exception_messages_logged_by_our_own_code(log_output: io.StringIO) -> None:
    try:
        raise ValueError(f"bad value {CANARY}")
    except ValueError:
        logging.getLogger("peerhaven.test").exception("import failed")
    _assert_logged_without_canary(log_output, "import failed", "ValueError: (message withheld)")


def test_it_withholds_chained_exceptions_too(log_output: io.StringIO) -> None:
    try:
        try:
            raise KeyError(CANARY)
        except KeyError as inner:
            raise RuntimeError("outer") from inner
    except RuntimeError:
        logging.getLogger("peerhaven.test").exception("chained")
    _assert_logged_without_canary(log_output, "chained", "RuntimeError")
