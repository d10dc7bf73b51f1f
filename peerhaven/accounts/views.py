"""Member-facing account pages: profile, settings, the MFA walk-through, terms acceptance."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from peerhaven.accounts.forms import ProfileForm, TermsAcceptForm
from peerhaven.accounts.selectors import profile_for, terms_pending_for
from peerhaven.accounts.services import profile_update, terms_accept
from peerhaven.core.policies import gate_exempt, has_mfa


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
