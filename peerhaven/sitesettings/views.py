"""The staff page for the instance settings, and the two public files they produce: site.css
(the colours as CSS custom properties) and the logo."""

from __future__ import annotations

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from peerhaven.core.policies import public, role_required
from peerhaven.sitesettings.colours import HEX_COLOUR
from peerhaven.sitesettings.forms import InstanceSettingsForm
from peerhaven.sitesettings.selectors import instance_defaults, instance_settings
from peerhaven.sitesettings.services import instance_settings_update

# Both files are linked with ?v=<settings version>, so a browser may keep them a long time.
_PUBLIC_CACHE = "public, max-age=86400"


@role_required("staff")
def edit(request: HttpRequest) -> HttpResponse:
    current = instance_settings(request)
    if request.method == "POST":
        form = InstanceSettingsForm(request.POST, request.FILES)
        if form.is_valid():
            instance_settings_update(
                actor=request.user, request=request, changes=form.changes(),
                logo=form.processed_logo, remove_logo=form.cleaned_data["remove_logo"],
            )
            messages.success(request, _("The instance settings are saved."))
            return redirect("sitesettings:edit")
        return render(request, "sitesettings/edit.html", {"form": form, "current": current}, status=400)
    form = InstanceSettingsForm(initial=InstanceSettingsForm.initial_from(current))
    return render(request, "sitesettings/edit.html", {"form": form, "current": current})


@public
@require_GET
def site_css(request: HttpRequest) -> HttpResponse:
    # Only #rrggbb values reach the style sheet: they were validated when saved, and are checked
    # again here in case a row was written some other way. The organisation name never goes in.
    current = instance_settings(request)
    defaults = instance_defaults()
    colours = {
        "primary": current.primary_colour if HEX_COLOUR.match(current.primary_colour) else defaults.primary_colour,
        "accent": current.accent_colour if HEX_COLOUR.match(current.accent_colour) else defaults.accent_colour,
    }
    body = render_to_string("sitesettings/site.css", colours)
    response = HttpResponse(body, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = _PUBLIC_CACHE
    return response


@public
@require_GET
def logo(request: HttpRequest) -> HttpResponse:
    current = instance_settings(request)
    if not current.logo or current.logo_content_type not in ("image/png", "image/jpeg"):
        raise Http404
    try:
        # Re-encoded to at most 512 × 512 pixels when saved: small enough to send in one piece.
        with default_storage.open(current.logo.name, "rb") as handle:
            content = handle.read()
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = HttpResponse(content, content_type=current.logo_content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = _PUBLIC_CACHE
    return response
