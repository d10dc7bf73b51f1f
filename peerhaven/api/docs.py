"""/api/v1/docs and /api/v1/openapi.json: for members only, and served without any script
from elsewhere or inline (the CSP allows 'self' only).

The Swagger UI bundle and stylesheet under static/api/swagger/ are copied unchanged from
django-ninja 1.7.1's own static files, except for the stylesheet's source-map comment (the map
is not shipped, and the manifest storage would fail on a reference to a missing file).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.openapi.docs import DocsBase
from ninja.openapi.views import openapi_view

from peerhaven.api.auth import SessionAuth, TokenAuth, gate_refusal

if TYPE_CHECKING:
    from ninja import NinjaAPI

SWAGGER_SETTINGS: dict[str, Any] = {
    "layout": "BaseLayout",
    "deepLinking": True,
    # Swagger UI would otherwise send the schema to validator.swagger.io.
    "validatorUrl": None,
    "persistAuthorization": False,
}


class SelfHostedSwagger(DocsBase):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**SWAGGER_SETTINGS, "url": self.get_openapi_url(api, kwargs)}
        return render(request, "api/docs.html", {"swagger_settings": settings, "api": api})


def _caller_refusal(request: HttpRequest) -> tuple[int, str] | None:
    """Authenticate as an operation would (session or token); why not, if not."""
    try:
        if SessionAuth()(request) or TokenAuth(any_scope=True)(request):
            return None
    except AuthenticationError as exc:
        return 401, exc.message
    except HttpError as exc:
        return exc.status_code, exc.message
    return 401, _("Please sign in, or send a personal access token as “Authorization: Bearer …”.")


def members_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ninja's docs_decorator: the schema answers 401/403 JSON like the API; the docs page,
    which people open in a browser, walks them to sign-in or the member gate like the site."""
    is_page = getattr(view, "func", None) is openapi_view

    @wraps(view)
    def _wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refusal = _caller_refusal(request)
        if refusal is None:
            return view(request, *args, **kwargs)
        status, message = refusal
        if not is_page:
            return JsonResponse({"detail": message}, status=status)
        next_query = urlencode({"next": request.get_full_path()})
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?{next_query}")
        if gate_refusal(request.user) is not None:
            from peerhaven.core.policies import has_mfa

            target = "accounts:secure_account" if not has_mfa(request.user) else "accounts:terms_accept"
            return redirect(f"{reverse(target)}?{next_query}")
        return JsonResponse({"detail": message}, status=status)

    return _wrapped
