"""The API's error bodies, shared by every router: `{"detail": "..."}` for refusals and
`{"detail": [{"loc", "field", "msg", "type"}]}` for invalid input (422)."""

from __future__ import annotations

from ninja import Schema


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    loc: list[str | int]
    # The field's dotted name inside its location ("pseudonym", "visibility.bio"); "" when the
    # message is about the request as a whole.
    field: str
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut]


# For routers that return an error status themselves; raised errors are documented for every
# operation by PeerhavenAPI.get_openapi_schema.
ERROR_RESPONSES: dict[int, type[Schema]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ValidationErrorOut,
}
