"""How /api/v1 answers when it will not do what was asked: always JSON, always 4xx for a
caller's mistake, with a kind message and, for invalid input, one message per field."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from peerhaven.api.auth import TokenRejected

# Where a field's name starts inside ninja's `loc`: ("body", <parameter name>, field, ...) for a
# JSON body, ("query", field) / ("path", field) for the rest.
_FIELD_START = {"body": 2, "form": 2}


def field_errors_from_ninja(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result = []
    for error in errors:
        loc = [part if isinstance(part, int) else str(part) for part in error.get("loc", ())]
        start = _FIELD_START.get(str(loc[0]) if loc else "", 1)
        result.append(
            {
                "loc": loc,
                "field": ".".join(str(part) for part in loc[start:]),
                "msg": str(error.get("msg", "")),
                "type": str(error.get("type", "invalid")),
            }
        )
    return result


def field_errors_from_django(exc: DjangoValidationError) -> list[dict[str, Any]]:
    if not hasattr(exc, "error_dict"):
        return [{"loc": ["body"], "field": "", "msg": str(msg), "type": "invalid"} for msg in exc.messages]
    result: list[dict[str, Any]] = []
    for field, errors in exc.message_dict.items():
        name = "" if field == "__all__" else field
        loc = ["body", name] if name else ["body"]
        result.extend({"loc": loc, "field": name, "msg": str(msg), "type": "invalid"} for msg in errors)
    return result


def _json(api: NinjaAPI, request: HttpRequest, data: Any, status: int) -> HttpResponse:
    return api.create_response(request, data, status=status)


def _invalid_input(request: HttpRequest, exc: NinjaValidationError, api: NinjaAPI) -> HttpResponse:
    return _json(api, request, {"detail": field_errors_from_ninja(exc.errors)}, 422)


def _invalid_model(request: HttpRequest, exc: DjangoValidationError, api: NinjaAPI) -> HttpResponse:
    return _json(api, request, {"detail": field_errors_from_django(exc)}, 422)


def _unauthenticated(request: HttpRequest, exc: AuthenticationError, api: NinjaAPI) -> HttpResponse:
    if isinstance(exc, TokenRejected):
        message = exc.message
    else:
        message = _(
            "Please sign in, or send a personal access token as “Authorization: Bearer …”."
        )
    response = _json(api, request, {"detail": message}, 401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _http_error(request: HttpRequest, exc: HttpError, api: NinjaAPI) -> HttpResponse:
    return _json(api, request, {"detail": str(exc)}, exc.status_code)


def _not_found(request: HttpRequest, exc: Http404, api: NinjaAPI) -> HttpResponse:
    # Never the exception text: it may name a model or a query.
    return _json(api, request, {"detail": _("Not found.")}, 404)


def _forbidden(request: HttpRequest, exc: PermissionDenied, api: NinjaAPI) -> HttpResponse:
    return _json(api, request, {"detail": _("You may not do that.")}, 403)


def _conflict(request: HttpRequest, exc: IntegrityError, api: NinjaAPI) -> HttpResponse:
    # A uniqueness race lost to a simultaneous request: the caller can simply try again.
    return _json(
        api, request, {"detail": _("That clashed with another change made at the same time. Please try again.")}, 409
    )


def install_error_handlers(api: NinjaAPI) -> None:
    api.add_exception_handler(NinjaValidationError, partial(_invalid_input, api=api))
    api.add_exception_handler(DjangoValidationError, partial(_invalid_model, api=api))
    api.add_exception_handler(AuthenticationError, partial(_unauthenticated, api=api))
    api.add_exception_handler(HttpError, partial(_http_error, api=api))
    api.add_exception_handler(Http404, partial(_not_found, api=api))
    api.add_exception_handler(PermissionDenied, partial(_forbidden, api=api))
    api.add_exception_handler(IntegrityError, partial(_conflict, api=api))
