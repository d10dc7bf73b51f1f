"""Personal access tokens, managed by the member on the site (the API never issues them)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peerhaven.api.forms import TokenCreateForm
from peerhaven.api.selectors import token_get_for_user, tokens_for
from peerhaven.api.services import IssuedToken, token_create, token_revoke


@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None)
    issued: IssuedToken | None = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                issued = token_create(
                    actor=request.user,  # type: ignore[arg-type]
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    lifetime=form.chosen_lifetime(),
                    request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
        if issued is None:
            status = 400
        else:
            form = TokenCreateForm()
    response = render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": tokens_for(request.user), "issued": issued},
        status=status,
    )
    # The page may carry a secret shown once: no cache, shared or private, may keep it.
    patch_cache_control(response, no_store=True)
    return response


@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = token_get_for_user(request.user, pk)
    token_revoke(actor=request.user, token=token, request=request)  # type: ignore[arg-type]
    messages.success(request, _("The token “%(name)s” is revoked. It no longer works.") % {"name": token.name})
    return redirect("api:tokens")
