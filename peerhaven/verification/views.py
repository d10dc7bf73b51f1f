"""Licence verification pages: the member's own licence, and the verifiers' queue and review."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerhaven.accounts.models import Role, User
from peerhaven.core.policies import role_required, session_used_passkey
from peerhaven.verification.forms import (
    ApproveForm,
    LicenceReplyForm,
    LicenceSubmitForm,
    QueueFilterForm,
    RejectForm,
    RequestInfoForm,
)
from peerhaven.verification.models import LicenceSubmission, SubmissionStatus
from peerhaven.verification.policies import (
    can_decide_licence,
    can_reply_to_licence_request,
    submission_get_for_document,
    submission_get_for_reply,
    submission_get_for_review,
)
from peerhaven.verification.selectors import (
    earlier_submissions,
    member_submissions,
    review_queue,
)
from peerhaven.verification.services import (
    LicenceConflict,
    licence_approve,
    licence_document_read,
    licence_reject,
    licence_reply,
    licence_request_info,
    licence_review_open,
    licence_submit,
)

HISTORY_PER_PAGE = 20
QUEUE_PER_PAGE = 25


def _member(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # LoginRequiredMiddleware guarantees a signed-in member
    return user


def _copy_errors(error: ValidationError, form: Form) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- the member's own licence ------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def my_licence(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    form = LicenceSubmitForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                licence_submit(
                    actor=member,
                    licence_type=form.cleaned_data["licence_type"],
                    number=form.cleaned_data["number"],
                    jurisdiction=form.cleaned_data["jurisdiction"],
                    expires_on=form.cleaned_data["expires_on"],
                    document=form.cleaned_data["document"],
                    request=request,
                )
            except ValidationError as error:
                _copy_errors(error, form)
            else:
                messages.success(request, _("Thank you. A verifier will review your licence soon."))
                return redirect("verification:my_licence")
        status = 400
    return _render_my_licence(request, member, submit_form=form, status=status)


def _render_my_licence(
    request: HttpRequest,
    member: User,
    *,
    submit_form: LicenceSubmitForm | None = None,
    reply_form: LicenceReplyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    page = Paginator(member_submissions(member), HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    # The newest submission is the first row of the first page; on later pages, one more query.
    latest: LicenceSubmission | None
    if page.number == 1:
        latest = page[0] if len(page) else None
    else:
        latest = member_submissions(member).first()
    can_reply = latest is not None and can_reply_to_licence_request(member, latest)
    context: dict[str, Any] = {
        "member_status": member.verification_status,
        "member_status_label": member.get_verification_status_display(),
        "verified_until": member.verified_until,
        "latest": latest,
        "page": page,
        "submit_form": submit_form or LicenceSubmitForm(),
        "reply_form": (reply_form or LicenceReplyForm(prefix="reply")) if can_reply else None,
    }
    return render(request, "verification/my_licence.html", context, status=status)


@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    submission = submission_get_for_reply(member, pk)
    form = LicenceReplyForm(request.POST, request.FILES or None, prefix="reply")
    if form.is_valid():
        try:
            licence_reply(
                actor=member, submission=submission, reply=form.cleaned_data["reply"],
                document=form.cleaned_data["document"], request=request,
            )
        except ValidationError as error:
            _copy_errors(error, form)
        except LicenceConflict as conflict:
            messages.error(request, str(conflict))
            return redirect("verification:my_licence")
        else:
            messages.success(request, _("Thank you. Your answer is with the verifier."))
            return redirect("verification:my_licence")
    return _render_my_licence(request, member, reply_form=form, status=400)


@never_cache
@require_GET
def document(request: HttpRequest, pk: int) -> HttpResponse:
    """The decrypted document as a download, for its owner or a verifier, after a fresh
    re-authentication; each look is written to the audit log."""
    viewer = _member(request)
    submission = submission_get_for_document(viewer, pk)
    if submission.member_id != viewer.pk and not session_used_passkey(request):
        # Verifier tools need a passkey session, as with @role_required("verifier").
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('core:passkey_required')}?{query}")
    return _serve_document(request, submission)


@reauthentication_required
def _serve_document(request: HttpRequest, submission: LicenceSubmission) -> HttpResponse:
    content = licence_document_read(actor=_member(request), submission=submission, request=request)
    response = HttpResponse(content, content_type=submission.document_content_type)
    response["Content-Disposition"] = f'attachment; filename="{submission.document_filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- verifiers -----------------------------------------------------------------------------------
@role_required(Role.VERIFIER)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    filters = QueueFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    submissions = review_queue(
        viewer=request.user,
        status=chosen.get("status", ""),
        licence_type=chosen.get("licence_type", ""),
        jurisdiction=chosen.get("jurisdiction", ""),
    )
    page = Paginator(submissions, QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "verification/queue.html",
        {"page": page, "filters": filters, "filter_query": query.urlencode()},
    )


_DECISION_FORMS: dict[str, type[Form]] = {
    "approve": ApproveForm,
    "reject": RejectForm,
    "request_info": RequestInfoForm,
}


@role_required(Role.VERIFIER)
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    verifier = _member(request)
    submission = submission_get_for_review(verifier, pk)
    if not can_decide_licence(verifier, submission):
        # Only reachable by a verifier opening their own submission.
        return render(request, "verification/own_submission.html", status=403)
    forms: dict[str, Form] = {
        name: form_class(prefix=name) for name, form_class in _DECISION_FORMS.items()
    }
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in _DECISION_FORMS:
            raise Http404
        form = _DECISION_FORMS[action](request.POST, prefix=action)
        forms[action] = form
        if form.is_valid():
            try:
                _decide(request, verifier, submission, action, form)
            except ValidationError as error:
                _copy_errors(error, form)
            except LicenceConflict as conflict:
                messages.error(request, str(conflict))
                status = 409
            except PermissionDenied:
                return render(request, "verification/own_submission.html", status=403)
            else:
                return redirect("verification:queue")
        if status == 200:
            status = 400
        submission = submission_get_for_review(verifier, pk)
    else:
        licence_review_open(actor=verifier, submission=submission, request=request)
    context = {
        "submission": submission,
        "earlier": earlier_submissions(submission),
        "forms": forms,
        "is_open": submission.is_open,
        "needs_info": submission.status == SubmissionStatus.NEEDS_INFO,
    }
    return render(request, "verification/review.html", context, status=status)


def _decide(
    request: HttpRequest, verifier: User, submission: LicenceSubmission, action: str, form: Form
) -> None:
    if action == "approve":
        licence_approve(actor=verifier, submission=submission, request=request)
        messages.success(request, _("Approved. The member has been told."))
    elif action == "reject":
        licence_reject(
            actor=verifier, submission=submission, reason=form.cleaned_data["reason"], request=request
        )
        messages.success(request, _("Rejected. The member has been told why."))
    else:
        licence_request_info(
            actor=verifier, submission=submission, question=form.cleaned_data["question"],
            request=request,
        )
        messages.success(request, _("Your question was sent to the member."))
