"""The staff console: members, roles, suspension, second-factor resets, membership policy and
invitations; and the public page an invitation link opens."""

from __future__ import annotations

import uuid
from typing import Any

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm, Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from peerhaven.accounts.models import Role, User
from peerhaven.core.policies import public, role_required
from peerhaven.staff.forms import (
    DecisionForm,
    InvitationForm,
    MemberFilterForm,
    MembershipPolicyForm,
    MfaResetForm,
    ReasonForm,
    RoleForm,
)
from peerhaven.staff.policies import (
    DIRECT_ROLES,
    can_decide_mfa_reset,
    can_decide_staff_grant,
    can_grant_role,
    can_open_mfa_reset,
    can_reinstate,
    can_request_staff_grant,
    can_revoke_role,
    can_suspend,
    invitation_get_for_staff,
    member_get_for_staff,
    mfa_reset_get_for_staff,
    staff_grant_get_for_staff,
)
from peerhaven.staff.selectors import (
    SESSION_INVITATION,
    invitation_by_token_hash,
    invitations_list,
    members_for_staff,
    membership_policy,
    pending_mfa_reset_for,
    pending_mfa_resets,
    pending_staff_grant_for,
    pending_staff_grants,
    suspension_history,
)
from peerhaven.staff.services import (
    StaffConflict,
    hash_invitation_token,
    invitation_create,
    invitation_revoke,
    member_role_grant,
    member_role_revoke,
    member_staff_view,
    membership_policy_update,
    mfa_reset_decide,
    mfa_reset_open,
    mfa_reset_view,
    staff_grant_request_create,
    staff_grant_request_decide,
    suspension_end,
    suspension_start,
)
from peerhaven.staff.tools import programme_tools

MEMBERS_PER_PAGE = 50
INVITATIONS_PER_PAGE = 50


def _staff(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # role_required lets only signed-in staff through
    return user


def _copy_errors(error: ValidationError, form: BaseForm) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _member_url(member: User) -> str:
    return reverse("staff:member", kwargs={"public_id": member.public_id})


def _conflict(request: HttpRequest, message: str, back: str) -> HttpResponse:
    return render(request, "staff/conflict.html", {"message": message, "back": back}, status=409)


def _refused(request: HttpRequest, message: str, back: str) -> HttpResponse:
    return render(request, "staff/refused.html", {"message": message, "back": back}, status=403)


@role_required(Role.STAFF)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "staff/index.html",
        {
            "staff_grants": list(pending_staff_grants()),
            "mfa_resets": list(pending_mfa_resets()),
            "viewer": _staff(request),
            "programme_tools": programme_tools(request),
        },
    )


# --- members ---------------------------------------------------------------------------------
@role_required(Role.STAFF)
@require_GET
def members(request: HttpRequest) -> HttpResponse:
    filters = MemberFilterForm(request.GET or None)
    chosen: dict[str, Any] = filters.cleaned_data if filters.is_valid() else {}
    found = members_for_staff(
        role=chosen.get("role", ""),
        verification_status=chosen.get("verification_status", ""),
        suspended=chosen.get("suspended", ""),
        joined_since=chosen.get("joined_since"),
        joined_until=chosen.get("joined_until"),
        search=(chosen.get("q") or "").strip(),
    )
    page = Paginator(found, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "staff/members.html", {"page": page, "filters": filters, "filter_query": query.urlencode()})


def _member_page(request: HttpRequest, member: User, *, status: int = 200, **forms: Form) -> HttpResponse:
    from peerhaven.verification.selectors import latest_submission_for

    actor = _staff(request)
    held = {grant.role for grant in member.role_grants.all()}
    grantable = [(role.value, role.label) for role in DIRECT_ROLES if role not in held and can_grant_role(actor, member, role)]
    role_form = forms.get("role_form") or RoleForm()
    role_form.fields["role"].choices = grantable  # type: ignore[attr-defined]
    context = {
        "member": member,
        "roles": [(grant, can_revoke_role(actor, member, grant.role)) for grant in member.role_grants.all()],
        "role_form": role_form if grantable else None,
        "licence": latest_submission_for(member),
        "history": list(suspension_history(member)),
        "staff_grant": pending_staff_grant_for(member),
        "mfa_reset": pending_mfa_reset_for(member),
        "can_request_staff": can_request_staff_grant(actor, member),
        "suspend_form": (forms.get("suspend_form") or ReasonForm(prefix="suspend")) if can_suspend(actor, member) else None,
        "reinstate_form": (forms.get("reinstate_form") or ReasonForm(prefix="reinstate")) if can_reinstate(actor, member) else None,
        "can_open_mfa_reset": can_open_mfa_reset(actor, member),
    }
    return render(request, "staff/member.html", context, status=status)


@role_required(Role.STAFF)
@require_GET
def member(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    shown = member_get_for_staff(request.user, public_id)
    member_staff_view(actor=_staff(request), member=shown, request=request)
    return _member_page(request, shown)


@role_required(Role.STAFF)
@require_POST
def member_role_add(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = _staff(request)
    shown = member_get_for_staff(actor, public_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _member_page(request, shown, status=400, role_form=form)
    try:
        member_role_grant(actor=actor, member=shown, role=form.cleaned_data["role"], request=request)
    except PermissionDenied:
        return _refused(request, _("This role cannot be granted to this member."), _member_url(shown))
    messages.success(request, _("Role granted."))
    return redirect("staff:member", public_id=shown.public_id)


@role_required(Role.STAFF)
@require_POST
def member_role_remove(request: HttpRequest, public_id: uuid.UUID, role: str) -> HttpResponse:
    actor = _staff(request)
    shown = member_get_for_staff(actor, public_id)
    try:
        member_role_revoke(actor=actor, member=shown, role=role, request=request)
    except PermissionDenied:
        return _refused(request, _("You cannot take this role away yourself."), _member_url(shown))
    messages.success(request, _("Role removed."))
    return redirect("staff:member", public_id=shown.public_id)


@role_required(Role.STAFF)
@require_POST
def staff_grant_request(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = _staff(request)
    shown = member_get_for_staff(actor, public_id)
    try:
        staff_grant_request_create(actor=actor, member=shown, request=request)
    except PermissionDenied:
        return _refused(request, _("This member cannot be proposed as staff."), _member_url(shown))
    except StaffConflict as conflict:
        return _conflict(request, str(conflict), _member_url(shown))
    messages.success(request, _("Asked. A different staff member must now approve."))
    return redirect("staff:member", public_id=shown.public_id)


@role_required(Role.STAFF)
@require_POST
def staff_grant_decide(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _staff(request)
    grant_request = staff_grant_get_for_staff(actor, pk)
    back = _member_url(grant_request.member)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _refused(request, _("Choose approve or decline."), back)
    if not can_decide_staff_grant(actor, grant_request) and grant_request.status == "pending":
        return _refused(request, _("A different staff member than the one who asked must decide."), back)
    try:
        staff_grant_request_decide(
            actor=actor, grant_request=grant_request, approve=form.cleaned_data["decision"] == "approve", request=request
        )
    except StaffConflict as conflict:
        return _conflict(request, str(conflict), back)
    except PermissionDenied:
        return _refused(request, _("A different staff member than the one who asked must decide."), back)
    messages.success(request, _("Decision recorded."))
    return redirect("staff:member", public_id=grant_request.member.public_id)


@role_required(Role.STAFF)
@require_POST
def member_suspend(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = _staff(request)
    shown = member_get_for_staff(actor, public_id)
    if not can_suspend(actor, shown):
        return _refused(request, _("This member cannot be suspended."), _member_url(shown))
    form = ReasonForm(request.POST, prefix="suspend")
    if form.is_valid():
        try:
            suspension_start(actor=actor, member=shown, reason=form.cleaned_data["reason"], request=request)
        except ValidationError as error:
            _copy_errors(error, form)
        else:
            messages.success(request, _("Suspended. Their sessions, tokens and connections have ended; they were told by e-mail."))
            return redirect("staff:member", public_id=shown.public_id)
    return _member_page(request, shown, status=400, suspend_form=form)


@role_required(Role.STAFF)
@require_POST
def member_reinstate(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = _staff(request)
    shown = member_get_for_staff(actor, public_id)
    if not can_reinstate(actor, shown):
        return _refused(request, _("This member is not suspended."), _member_url(shown))
    form = ReasonForm(request.POST, prefix="reinstate")
    if form.is_valid():
        try:
            suspension_end(actor=actor, member=shown, reason=form.cleaned_data["reason"], request=request)
        except ValidationError as error:
            _copy_errors(error, form)
        else:
            messages.success(request, _("Reinstated. The member was told by e-mail."))
            return redirect("staff:member", public_id=shown.public_id)
    return _member_page(request, shown, status=400, reinstate_form=form)


# --- lost second factor ----------------------------------------------------------------------
@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def mfa_reset_new(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = _staff(request)
    shown = member_get_for_staff(actor, public_id)
    if not can_open_mfa_reset(actor, shown):
        return _refused(request, _("Another staff member must handle a reset of your own second factor."), _member_url(shown))
    form = MfaResetForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                reset = mfa_reset_open(actor=actor, member=shown, request=request, **form.cleaned_data)
            except ValidationError as error:
                _copy_errors(error, form)
            except StaffConflict as conflict:
                return _conflict(request, str(conflict), _member_url(shown))
            else:
                messages.success(request, _("Recorded. A different staff member must now approve the reset."))
                return redirect("staff:mfa_reset", pk=reset.pk)
        return render(request, "staff/mfa_reset_new.html", {"member": shown, "form": form}, status=400)
    return render(request, "staff/mfa_reset_new.html", {"member": shown, "form": form})


@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def mfa_reset(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _staff(request)
    reset = mfa_reset_get_for_staff(actor, pk)
    back = _member_url(reset.member)
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if not form.is_valid():
            return _refused(request, _("Choose approve or decline."), back)
        try:
            mfa_reset_decide(actor=actor, reset=reset, approve=form.cleaned_data["decision"] == "approve", request=request)
        except StaffConflict as conflict:
            return _conflict(request, str(conflict), back)
        except PermissionDenied:
            return _refused(request, _("A different staff member than the one who checked identity must decide."), back)
        messages.success(request, _("Decision recorded."))
        return redirect("staff:member", public_id=reset.member.public_id)
    mfa_reset_view(actor=actor, reset=reset, request=request)
    return render(request, "staff/mfa_reset.html", {"reset": reset, "can_decide": can_decide_mfa_reset(actor, reset)})


# --- membership and invitations ----------------------------------------------------------------
@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def membership(request: HttpRequest) -> HttpResponse:
    policy = membership_policy()
    form = MembershipPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST":
        if form.is_valid():
            try:
                membership_policy_update(actor=_staff(request), request=request, **form.cleaned_data)
            except ValidationError as error:
                _copy_errors(error, form)
            else:
                messages.success(request, _("The membership policy is saved."))
                return redirect("staff:membership")
        return render(request, "staff/membership.html", {"form": form, "policy": policy}, status=400)
    return render(request, "staff/membership.html", {"form": form, "policy": policy})


@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation_create(actor=_staff(request), email=form.cleaned_data["email"], request=request)
            except ValidationError as error:
                _copy_errors(error, form)
            else:
                messages.success(request, _("Invitation sent."))
                return redirect("staff:invitations")
        status = 400
    page = Paginator(invitations_list(), INVITATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "staff/invitations.html", {"form": form, "page": page}, status=status)


@role_required(Role.STAFF)
@require_POST
def invitation_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _staff(request)
    invitation = invitation_get_for_staff(actor, pk)
    try:
        invitation_revoke(actor=actor, invitation=invitation, request=request)
    except StaffConflict as conflict:
        return _conflict(request, str(conflict), reverse("staff:invitations"))
    messages.success(request, _("Invitation revoked."))
    return redirect("staff:invitations")


@public
@never_cache
@require_GET
@ratelimit(key="ip", rate="30/h", block=True)
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation e-mail: remembers the invitation and opens sign-up with the
    address filled in (and counted as confirmed: the link reached that inbox)."""
    invitation = invitation_by_token_hash(hash_invitation_token(token)) if len(token) <= 100 else None
    if invitation is None or not invitation.is_usable:
        return render(request, "staff/invitation_invalid.html", status=400)
    if request.user.is_authenticated:
        messages.info(request, _("You are already signed in. To accept an invitation for another address, sign out first."))
        return redirect("core:home")
    request.session[SESSION_INVITATION] = invitation.pk
    get_adapter(request).stash_verified_email(request, invitation.email)
    return redirect("account_signup")
