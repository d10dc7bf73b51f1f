"""Safety pages: crisis resources (public, linked from every page, staff-edited), reporting a
member or content, the moderation queue, blocking members, and the PHI guard's live check."""

from __future__ import annotations

import re
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from peerhaven.accounts.models import User
from peerhaven.core.policies import public, role_required
from peerhaven.safety.forms import CrisisResourceForm, QueueFilterForm, ReportForm, ReportReviewForm
from peerhaven.safety.phi_forms import PHI_TEXT_MAX, phi_check
from peerhaven.safety.policies import (
    crisis_resource_get_for_staff,
    member_get_for_user,
    report_get_for_moderator,
)
from peerhaven.safety.registry import reportable_get_for_user
from peerhaven.safety.selectors import (
    blocks_by,
    crisis_resources,
    crisis_resources_for_staff,
    moderation_queue,
    reports_by,
)
from peerhaven.safety.services import (
    ReportAlreadyHandled,
    block_create,
    block_delete,
    crisis_resource_create,
    crisis_resource_deactivate,
    crisis_resource_update,
    report_action,
    report_content_create,
    report_dismiss,
    report_member_create,
)

QUEUE_PAGE_SIZE = 25
# One budget for every kind of report: 20 an hour per member.
_REPORT_RATE = {"key": "user", "rate": "20/h", "method": "POST", "block": True, "group": "safety.report"}

# The editor checks as the author types (debounced), so the budget is generous but bounded.
_PHI_CHECK_RATE = {"key": "user", "rate": "60/m", "method": "POST", "block": False, "group": "safety.phi_check"}
# The component names the form field holding the text; its value is also used in element ids.
_PHI_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,99}")


def _member(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # members-only views: the middleware signed-in check ran
    return user


def _safe_next(request: HttpRequest, fallback: str) -> str:
    candidate = request.POST.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return fallback


# --- crisis resources ----------------------------------------------------------------------
@public
@require_GET
def crisis(request: HttpRequest) -> HttpResponse:
    country = request.GET.get("country", "").strip()[:2]
    if not country and request.user.is_authenticated:
        profile = getattr(request.user, "profile", None)
        country = profile.country if profile is not None else ""
    local, others = crisis_resources(country=country)
    return render(request, "safety/crisis.html", {"local": local, "others": others, "country": country.upper()})


@role_required("staff")
@require_GET
def crisis_manage(request: HttpRequest) -> HttpResponse:
    return render(request, "safety/crisis_manage.html", {"resources": crisis_resources_for_staff()})


@role_required("staff")
@require_http_methods(["GET", "POST"])
def crisis_create(request: HttpRequest) -> HttpResponse:
    form = CrisisResourceForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            crisis_resource_create(actor=_member(request), request=request, **form.cleaned_data)
            messages.success(request, _("The crisis resource is saved."))
            return redirect("safety:crisis_manage")
        return render(request, "safety/crisis_edit.html", {"form": form}, status=400)
    return render(request, "safety/crisis_edit.html", {"form": form})


@role_required("staff")
@require_http_methods(["GET", "POST"])
def crisis_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resource = crisis_resource_get_for_staff(request.user, pk)
    form = CrisisResourceForm(request.POST or None, instance=resource)
    if request.method == "POST":
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            if changes:
                crisis_resource_update(actor=_member(request), resource=resource, request=request, **changes)
            messages.success(request, _("The crisis resource is saved."))
            return redirect("safety:crisis_manage")
        return render(request, "safety/crisis_edit.html", {"form": form, "resource": resource}, status=400)
    return render(request, "safety/crisis_edit.html", {"form": form, "resource": resource})


@role_required("staff")
@require_POST
def crisis_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    resource = crisis_resource_get_for_staff(request.user, pk)
    crisis_resource_deactivate(actor=_member(request), resource=resource, request=request)
    messages.success(request, _("The crisis resource is no longer shown."))
    return redirect("safety:crisis_manage")


# --- reports -------------------------------------------------------------------------------
def _report_sent(request: HttpRequest) -> HttpResponse:
    messages.success(
        request,
        _("Thank you for telling us. A moderator will review your report. "
          "Nobody you report is ever told who reported them."),
    )
    return redirect("safety:my_reports")


@ratelimit(**_REPORT_RATE)
@require_http_methods(["GET", "POST"])
def report_member(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    member = member_get_for_user(request.user, public_id)
    reporter = _member(request)
    context = {"member": member, "kind": "member"}
    if member.pk == reporter.pk:
        return render(request, "safety/report_self.html", context, status=400)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report_member_create(actor=reporter, member=member, request=request, **form.cleaned_data)
        return _report_sent(request)
    status = 400 if request.method == "POST" else 200
    return render(request, "safety/report_form.html", {**context, "form": form}, status=status)


@ratelimit(**_REPORT_RATE)
@require_http_methods(["GET", "POST"])
def report_content(request: HttpRequest, label: str, object_id: int) -> HttpResponse:
    reportable, target = reportable_get_for_user(request.user, label, object_id)
    reporter = _member(request)
    context = {"kind": "content"}
    if reportable.author_id is not None and reportable.author_id(target) == reporter.pk:
        return render(request, "safety/report_self.html", context, status=400)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report_content_create(actor=reporter, reportable=reportable, target=target, request=request,
                                  **form.cleaned_data)
        except ValidationError:
            return render(request, "safety/report_self.html", context, status=400)
        return _report_sent(request)
    status = 400 if request.method == "POST" else 200
    return render(request, "safety/report_form.html", {**context, "form": form}, status=status)


@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    page = Paginator(reports_by(request.user), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "safety/my_reports.html", {"page": page})


# --- moderation ----------------------------------------------------------------------------
@role_required("moderator")
@require_GET
def moderation_queue_view(request: HttpRequest) -> HttpResponse:
    filters = QueueFilterForm(request.GET or None)
    status = reason = ""
    if filters.is_valid():
        status = filters.cleaned_data["status"]
        reason = filters.cleaned_data["reason"]
    reports = moderation_queue(status=status, reason=reason)
    page = Paginator(reports, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "safety/moderation_queue.html",
        {"page": page, "filters": filters, "query": {"status": status, "reason": reason}},
    )


@role_required("moderator")
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_get_for_moderator(request.user, pk)
    form = ReportReviewForm(request.POST or None)
    if request.method == "POST":
        if not report.is_open:
            messages.info(request, _("This report was already closed."))
            return render(request, "safety/report_detail.html", {"report": report, "form": None}, status=409)
        if form.is_valid():
            note = form.cleaned_data["note"]
            try:
                if form.cleaned_data["decision"] == ReportReviewForm.ACTION:
                    report_action(actor=_member(request), report=report, note=note, request=request)
                else:
                    report_dismiss(actor=_member(request), report=report, note=note, request=request)
            except ReportAlreadyHandled:
                messages.info(request, _("Another moderator closed this report a moment ago."))
                return redirect("safety:report_detail", pk=report.pk)
            messages.success(request, _("The report is closed. The reporter is told it was reviewed."))
            return redirect("safety:moderation_queue")
        return render(request, "safety/report_detail.html", {"report": report, "form": form}, status=400)
    return render(request, "safety/report_detail.html", {"report": report, "form": form if report.is_open else None})


# --- blocks --------------------------------------------------------------------------------
@require_POST
def block_member(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    member = member_get_for_user(request.user, public_id)
    blocker = _member(request)
    if member.pk == blocker.pk:
        return render(request, "safety/block_self.html", status=400)
    block_create(actor=blocker, member=member, request=request)
    messages.success(
        request,
        _("You have blocked this member. You will not see each other, and you will never be matched."),
    )
    return redirect(_safe_next(request, fallback=reverse("safety:blocks")))


@require_POST
def unblock_member(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    member = member_get_for_user(request.user, public_id)
    if block_delete(actor=_member(request), member=member, request=request):
        messages.success(request, _("You have unblocked this member."))
    return redirect(_safe_next(request, fallback=reverse("safety:blocks")))


@require_GET
def blocks(request: HttpRequest) -> HttpResponse:
    page = Paginator(blocks_by(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "safety/blocks.html", {"page": page})


# --- PHI guard -----------------------------------------------------------------------------
@ratelimit(**_PHI_CHECK_RATE)
@require_POST
def phi_check_view(request: HttpRequest) -> HttpResponse:
    """The editor's live check: an HTML partial (components/phi_findings.html). It reads `text`,
    or the form field named by `phi_field` when components/phi_textarea.html calls it; then the
    summary is swapped out of band into that component's live region."""
    field = request.POST.get("phi_field", "")
    slot = field if _PHI_FIELD_NAME.fullmatch(field) else ""
    text = request.POST.get(slot or "text", "")
    context: dict[str, object] = {"slot": slot, "text_max": PHI_TEXT_MAX}
    if getattr(request, "limited", False):
        return render(request, "components/phi_findings.html", {**context, "limited": True}, status=429)
    if len(text) > PHI_TEXT_MAX:
        return render(request, "components/phi_findings.html", {**context, "too_long": True}, status=400)
    return render(request, "components/phi_findings.html", {**context, "check": phi_check(text)})
