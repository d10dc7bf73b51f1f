"""/api/v1: assembles each app's django-ninja router behind one authentication (session with
CSRF, or a personal access token), one error format and one documented schema."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from peerhaven.api.auth import member_auth
from peerhaven.api.docs import SelfHostedSwagger, members_only
from peerhaven.api.errors import install_error_handlers
from peerhaven.api.models import TokenScope
from peerhaven.api.profile_api import router as profile_router
from peerhaven.api.schemas import ErrorOut, ValidationErrorOut
from peerhaven.forums.api import router as forums_router
from peerhaven.groups.api import router as groups_router
from peerhaven.live.api import router as live_router
from peerhaven.notifications.api import router as notifications_router
from peerhaven.support.api import router as support_router
from peerhaven.verification.api import router as verification_router

_HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def _component(schema: OpenAPISchema, model: Any) -> dict[str, str]:
    """Register a pydantic model (and the models it nests) as components; return its $ref."""
    template = "#/components/schemas/{model}"
    definition = model.model_json_schema(ref_template=template, mode="serialization")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, nested in definition.pop("$defs", {}).items():
        components.setdefault(name, nested)
    components.setdefault(model.__name__, definition)
    return {"$ref": template.format(model=model.__name__)}


def _response(description: str, ref: dict[str, str]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def document_error_responses(schema: OpenAPISchema) -> None:
    """Every operation can be refused the same ways (raised errors, answered by errors.py);
    document those answers once here rather than in each router."""
    error = _component(schema, ErrorOut)
    invalid = _component(schema, ValidationErrorOut)
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in _HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            extra: dict[int, dict[str, Any]] = {}
            if operation.get("security"):
                extra[401] = _response("Not signed in, or the access token is not valid.", error)
                extra[403] = _response(
                    "Refused: CSRF token missing, member gate not passed, or a scope or "
                    "permission the operation needs is missing.",
                    error,
                )
            if any(parameter.get("in") == "path" for parameter in parameters):
                extra[404] = _response("Not found, or not yours.", error)
            if "requestBody" in operation:
                extra[400] = _response("The request body is not JSON.", error)
                extra[409] = _response("A simultaneous change got there first; try again.", error)
            if parameters or "requestBody" in operation:
                extra[422] = _response("Invalid input: one message per field.", invalid)
            for status, answer in extra.items():
                if status not in responses and str(status) not in responses:
                    responses[status] = answer


class PeerhavenAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_error_responses(schema)
        return schema


api = PeerhavenAPI(
    title="Peerhaven API",
    version="1",
    description=(
        "The member's own data: profile, licence verification status, notifications. "
        "Authenticate with your session (send the CSRF token as X-CSRFToken on changes) or "
        "with a personal access token: `Authorization: Bearer ph_…`."
    ),
    urls_namespace="api-v1",
    # Routers mounted below name their scopes; one mounted without is closed to tokens.
    auth=member_auth(),
    docs=SelfHostedSwagger(),
    docs_decorator=members_only,
)
install_error_handlers(api)

api.add_router(
    "/",
    profile_router,
    auth=member_auth(read_scope=TokenScope.PROFILE_READ, write_scope=TokenScope.PROFILE_WRITE),
)
api.add_router(
    "/",
    notifications_router,
    auth=member_auth(
        read_scope=TokenScope.NOTIFICATIONS_READ, write_scope=TokenScope.NOTIFICATIONS_WRITE
    ),
)
api.add_router("/", verification_router, auth=member_auth(read_scope=TokenScope.VERIFICATION_READ))
api.add_router("/", live_router, auth=member_auth(read_scope=TokenScope.LIVE_READ, write_scope=TokenScope.LIVE_WRITE))
api.add_router("/", support_router, auth=member_auth(read_scope=TokenScope.SUPPORT_READ, write_scope=TokenScope.SUPPORT_WRITE))
api.add_router("/", groups_router, auth=member_auth(read_scope=TokenScope.GROUPS_READ, write_scope=TokenScope.GROUPS_WRITE))
api.add_router("/", forums_router, auth=member_auth(read_scope=TokenScope.FORUMS_READ, write_scope=TokenScope.FORUMS_WRITE))
