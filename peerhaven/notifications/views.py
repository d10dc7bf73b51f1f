"""The notification centre, delivery preferences and the public one-click unsubscribe page."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerhaven.accounts.models import User
from peerhaven.core.policies import public
from peerhaven.notifications.forms import preference_forms
from peerhaven.notifications.kinds import kind_title
from peerhaven.notifications.policies import notification_get_for_user
from peerhaven.notifications.selectors import notifications_for, preferences_for
from peerhaven.notifications.services import (
    email_unsubscribe,
    notification_mark_read,
    notifications_mark_all_read,
    preferences_update,
)
from peerhaven.notifications.unsubscribe import InvalidUnsubscribeToken, unsubscribe_token_read

PAGE_SIZE = 25


def _list_url(page: str | None) -> str:
    url = reverse("notifications:list")
    return f"{url}?page={page}" if page and page.isdigit() else url


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = notification_get_for_user(request.user, pk)
    notification_mark_read(actor=request.user, notification=notification)
    return redirect(_list_url(request.POST.get("page")))


@require_GET
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Marks the notification read and follows its link (always a path on this site)."""
    notification = notification_get_for_user(request.user, pk)
    notification_mark_read(actor=request.user, notification=notification)
    link = notification.link
    if not link or not url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect("notifications:list")
    return redirect(link)


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    rows = preference_forms(preferences_for(request.user), request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if all(form.is_valid() for _preference, form in rows):
            preferences_update(
                actor=request.user,
                in_app={preference.kind: form.cleaned_data["in_app"] for preference, form in rows},
                email={preference.kind: form.cleaned_data["email"] for preference, form in rows},
                request=request,
            )
            messages.success(request, _("Your notification choices are saved."))
            return redirect("notifications:preferences")
        return render(request, "notifications/preferences.html", {"rows": rows}, status=400)
    return render(request, "notifications/preferences.html", {"rows": rows})


# The signed token is the credential here (it arrives from an e-mail, often in a mail client
# that POSTs RFC 8058 one-click requests with no cookies), so CSRF protection has nothing to add.
@public
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        unsubscribe_request = unsubscribe_token_read(token)
    except InvalidUnsubscribeToken:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    user = User.objects.filter(public_id=unsubscribe_request.user_public_id).first()
    if user is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    context = {"kind_title": kind_title(unsubscribe_request.kind), "token": token}
    if request.method == "POST":
        email_unsubscribe(actor=user, kind=unsubscribe_request.kind, request=request)
        return render(request, "notifications/unsubscribed.html", context)
    return render(request, "notifications/unsubscribe.html", context)
