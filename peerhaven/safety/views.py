"""Safety pages: crisis resources (public, linked from every page)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from peerhaven.core.policies import public
from peerhaven.safety.selectors import crisis_resources


@public
@require_GET
def crisis(request: HttpRequest) -> HttpResponse:
    country = request.GET.get("country", "").strip()[:2]
    if not country and request.user.is_authenticated:
        profile = getattr(request.user, "profile", None)
        country = profile.country if profile is not None else ""
    local, others = crisis_resources(country=country)
    return render(request, "safety/crisis.html", {"local": local, "others": others, "country": country.upper()})
