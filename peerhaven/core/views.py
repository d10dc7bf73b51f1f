"""Public pages (services, programmes, contact), the member home, health, the audit viewer."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit

from peerhaven.core.forms import ContactForm
from peerhaven.core.models import WorkerHeartbeat
from peerhaven.core.policies import gate_exempt, has_passkey, public, role_required
from peerhaven.core.programmes import enabled_programme, enabled_programmes
from peerhaven.core.selectors import audit_entries
from peerhaven.core.services import contact_message_create


@public
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    return render(request, "core/services.html", {"programmes": enabled_programmes(request), "contact_form": ContactForm()})


@public
@require_GET
def services(request: HttpRequest) -> HttpResponse:
    return render(request, "core/services.html", {"programmes": enabled_programmes(request), "contact_form": ContactForm()})


@public
@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")


@public
@require_GET
def hello(request: HttpRequest) -> HttpResponse:
    """The benchmark baseline: the cheapest page the stack can serve."""
    return HttpResponse("hello", content_type="text/plain")


@public
@ratelimit(key="ip", rate="5/h", method="POST", block=True)
def contact(request: HttpRequest) -> HttpResponse:
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        contact_message_create(request=request, **form.cleaned_data)
        messages.success(request, _("Thank you. The staff will answer by e-mail."))
        return redirect("core:services")
    status = 400 if request.method == "POST" else 200
    return render(request, "core/contact.html", {"form": form}, status=status)


def home(request: HttpRequest) -> HttpResponse:
    from peerhaven.core.agenda import agenda_for
    from peerhaven.notifications.selectors import notifications_for

    recent = list(notifications_for(request.user)[:5])
    return render(request, "core/home.html", {
        "programmes": enabled_programmes(request),
        "notifications": recent,
        "agenda": agenda_for(request.user, request),
    })


def programme(request: HttpRequest, slug: str) -> HttpResponse:
    item = enabled_programme(slug, request)  # a programme switched off is not there at all
    if item is None:
        raise Http404
    return render(request, "core/programme.html", {"programme": item})


@gate_exempt
def passkey_required(request: HttpRequest) -> HttpResponse:
    """Verifier and staff tools need a session signed in with a passkey."""
    next_url = request.GET.get("next", "")
    if not next_url.startswith("/") or next_url.startswith("//"):
        next_url = "/"
    return render(
        request,
        "core/passkey_required.html",
        {"next": next_url, "has_passkey": has_passkey(request.user)},
        status=403,
    )


@role_required("staff")
def audit_log_view(request: HttpRequest) -> HttpResponse:
    action = request.GET.get("action", "").strip()[:80]
    target_type = request.GET.get("target_type", "").strip()[:60]
    actor = request.GET.get("actor", "").strip()
    since = _parse_date(request.GET.get("since", ""))
    until = _parse_date(request.GET.get("until", ""))
    actor_id = int(actor) if actor.isdigit() else None
    entries = audit_entries(action=action, actor_id=actor_id, target_type=target_type, since=since, until=until)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit_log.html",
        {"page": page, "filters": {"action": action, "target_type": target_type, "actor": actor,
                                   "since": request.GET.get("since", ""), "until": request.GET.get("until", "")}},
    )


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@public
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Any] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True, "vendor": connection.vendor}
    except DatabaseError:
        checks["database"] = {"ok": False}
    probe = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(probe, "1", 10)
        checks["cache"] = {"ok": cache.get(probe) == "1"}
        cache.delete(probe)
    except Exception:  # noqa: BLE001 - any cache failure means "degraded", reported, not raised
        checks["cache"] = {"ok": False}
    checks["channel_layer"] = {"ok": _channel_layer_ok()}
    try:
        beat = WorkerHeartbeat.objects.filter(name="worker").first()
        age = (timezone.now() - beat.beat_at).total_seconds() if beat else None
        checks["worker"] = {
            "ok": age is not None and age <= settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS,
            "last_beat_seconds_ago": round(age) if age is not None else None,
        }
    except DatabaseError:
        checks["worker"] = {"ok": False, "last_beat_seconds_ago": None}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", "checks": checks}, status=200 if healthy else 503)


def _channel_layer_ok() -> bool:
    layer = get_channel_layer()
    if layer is None:
        return False

    async def roundtrip() -> bool:
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "healthz.ping"})
        message = await layer.receive(channel)
        return bool(message.get("type") == "healthz.ping")

    try:
        return bool(async_to_sync(roundtrip)())
    except Exception:  # noqa: BLE001 - an unreachable layer is reported as degraded
        return False


def ratelimited(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "core/ratelimited.html", status=429)
