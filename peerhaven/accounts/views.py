"""Member-facing account pages: profile, settings, the MFA walk-through, terms acceptance,
export and erasure of one's data, and the member card others see."""

from __future__ import annotations

import json
import uuid

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language

from peerhaven.accounts.forms import ERASURE_PHRASE, ErasureForm, ProfileForm, TermsAcceptForm
from peerhaven.accounts.models import User
from peerhaven.accounts.policies import member_get_for_user
from peerhaven.accounts.selectors import (
    profile_fields_visible_to,
    profile_for,
    terms_acceptances_of,
    terms_pending_for,
)
from peerhaven.accounts.services import account_erase, account_export, profile_update, terms_accept
from peerhaven.accounts.sessions import (
    session_end,
    sessions_end_others,
    sessions_of,
    user_session_get_for_user,
)
from peerhaven.core.policies import gate_exempt, has_mfa, public, verified_required

# Written by the safety app; shown on a member card only once it exists.
MEMBER_ACTIONS_TEMPLATE = "safety/member_actions.html"


def _safe_next(request: HttpRequest, fallback: str = "/home/") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return fallback


def profile(request: HttpRequest) -> HttpResponse:
    instance = profile_for(request.user)  # type: ignore[arg-type]
    form = ProfileForm(request.POST or None, instance=instance)
    if request.method == "POST":
        if form.is_valid():
            profile_update(actor=request.user, request=request, **form.changes())  # type: ignore[arg-type]
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:profile")
        return render(request, "accounts/profile.html", {"form": form}, status=400)
    return render(request, "accounts/profile.html", {"form": form})


def account_settings(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/settings.html")


@public
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """The language switcher (footer and settings), for visitors and members alike.

    Django's own set_language sets the `django_language` cookie and sends the browser back; a
    member's choice is also kept on their profile (and in the session), so that it follows
    them to every browser they sign in from (see MemberLanguageMiddleware)."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        profile_update(actor=request.user, request=request, language=language)
    return response


@gate_exempt
def secure_account(request: HttpRequest) -> HttpResponse:
    """Step one for a new member: protect the account with a second factor."""
    if has_mfa(request.user):
        return redirect(_safe_next(request))
    return render(request, "accounts/secure_account.html", {"next": _safe_next(request)})


@gate_exempt
def terms(request: HttpRequest) -> HttpResponse:
    pending = terms_pending_for(request.user)
    if pending is None:
        return redirect(_safe_next(request))
    if not has_mfa(request.user):
        return redirect("accounts:secure_account")
    form = TermsAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        terms_accept(actor=request.user, terms_version=pending, request=request)  # type: ignore[arg-type]
        messages.success(request, _("Thank you. Welcome in."))
        return redirect(_safe_next(request))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/terms.html", {"form": form, "terms": pending, "next": _safe_next(request)}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def export(request: HttpRequest) -> HttpResponse:
    """GET explains; POST (after a fresh re-authentication) downloads the archive."""
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        archive = account_export(actor=user, request=request)
        body = json.dumps(archive, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        filename = f"peerhaven-export-{timezone.now():%Y%m%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return render(
        request, "accounts/export.html", {"acceptances": list(terms_acceptances_of(user))}
    )


@never_cache
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def erase(request: HttpRequest) -> HttpResponse:
    """GET explains the choice; POST (re-authenticated, phrase typed) erases the account."""
    form = ErasureForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            account_erase(
                actor=request.user,  # type: ignore[arg-type]
                keep_posts_as_former_member=form.keep_posts_as_former_member,
                request=request,
            )
            logout(request)
            messages.success(request, _("Your account has been deleted. Take good care of yourself."))
            return redirect("core:index")
        return render(request, "accounts/erase.html", {"form": form, "phrase": ERASURE_PHRASE}, status=400)
    return render(request, "accounts/erase.html", {"form": form, "phrase": ERASURE_PHRASE})


@require_GET
@verified_required
def member(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A member's card: their public name and the profile fields they opened to the viewer."""
    shown = member_get_for_user(request.user, public_id)
    profile = getattr(shown, "profile", None)  # select_related with the member
    is_self = shown.pk == request.user.pk
    return render(
        request,
        "accounts/member.html",
        {
            "member": shown,
            "profile": profile,
            "fields": profile_fields_visible_to(request.user, profile) if profile is not None else [],
            "is_self": is_self,
            "show_member_actions": not is_self and _template_exists(MEMBER_ACTIONS_TEMPLATE),
        },
    )


def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


# --- my sessions -----------------------------------------------------------------------------
@require_GET
def sessions(request: HttpRequest) -> HttpResponse:
    """The devices the member is signed in on."""
    listed = sessions_of(request.user, current_key=request.session.session_key)  # type: ignore[arg-type]
    return render(request, "accounts/sessions.html", {"sessions": listed, "others": sum(not s.is_current for s in listed)})


@require_POST
def session_sign_out(request: HttpRequest, pk: int) -> HttpResponse:
    user_session = user_session_get_for_user(request.user, pk)
    if session_end(actor=request.user, user_session=user_session, request=request):  # type: ignore[arg-type]
        logout(request)
        return redirect("account_login")
    messages.success(request, _("That device is signed out."))
    return redirect("accounts:sessions")


@require_POST
def sessions_sign_out_others(request: HttpRequest) -> HttpResponse:
    ended = sessions_end_others(actor=request.user, request=request)  # type: ignore[arg-type]
    if ended:
        messages.success(request, _("You are signed out everywhere else."))
    else:
        messages.info(request, _("You were not signed in anywhere else."))
    return redirect("accounts:sessions")
