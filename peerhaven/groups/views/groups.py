"""Group pages: the directory, a group's public page, creating and editing a group, its agreement
(accept, re-accept, edit), membership (request, invitation, leave, the facilitators' members and
requests page), threads and case presentations, and the facilitators' moderation tools.

Every inner page loads its group through `group_inside_get_for_user`: whoever is not an active
member gets a 404, as if the group had nothing inside."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peerhaven.accounts.models import Role, User
from peerhaven.core.policies import role_required, verified_required
from peerhaven.groups.forms_groups import (
    AgreementAcceptForm,
    AgreementForm,
    CommentForm,
    DirectoryFilterForm,
    EditPostForm,
    GroupCreateForm,
    GroupForm,
    GroupSettingsForm,
    InviteForm,
    PostForm,
    PresentationForm,
    ThreadForm,
)
from peerhaven.groups.models.groups import CaseComment, Group, MembershipRole
from peerhaven.groups.policies.groups import (
    can_accept_agreement,
    can_answer_invitation,
    can_create_group,
    can_join_open_group,
    can_leave_group,
    can_manage_group,
    can_post_in_thread,
    can_request_to_join,
    can_take_part,
    can_view_inside,
    can_withdraw_request,
    group_get_for_user,
    group_inside_get_for_user,
    has_current_agreement,
    is_facilitator,
    membership_for,
    membership_get_for_manager,
    post_get_for_author,
    post_get_in_thread,
    presentation_get_for_user,
    thread_get_for_user,
)
from peerhaven.groups.selectors.groups import (
    POSTS_PAGE_SIZE,
    THREADS_PAGE_SIZE,
    DirectoryFilters,
    comments_of,
    current_agreement,
    directory_page,
    facilitators_of,
    group_settings,
    jurisdiction_choices,
    members_of,
    my_groups,
    pending_of,
    posts_of,
    presentations_of,
    seats_taken,
    threads_of,
)
from peerhaven.groups.services.groups import (
    GroupFull,
    agreement_accept,
    agreement_update,
    comment_create,
    comment_hide,
    group_archive,
    group_create,
    group_settings_update,
    group_update,
    invitation_decline,
    membership_approve,
    membership_decline,
    membership_invite,
    membership_leave,
    membership_remove,
    membership_request,
    membership_set_role,
    membership_withdraw,
    post_create,
    post_edit,
    post_hide,
    presentation_create,
    presentation_hide,
    thread_create,
    thread_lock,
)


def _member(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # members-only views: the middleware's signed-in check ran
    return user


def _inside_context(request: HttpRequest, group: Group, section: str) -> dict[str, Any]:
    member = _member(request)
    return {
        "group": group,
        "section": section,
        "is_facilitator": is_facilitator(member, group),
        "can_manage": can_manage_group(member, group),
        "can_take_part": can_take_part(member, group),
        "needs_agreement": not has_current_agreement(member, group),
    }


def _apply_errors(form: BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages_:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


# --- directory and public page -------------------------------------------------------------
@verified_required
def directory(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    form = DirectoryFilterForm(request.GET or None)
    filters = DirectoryFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = DirectoryFilters(kind=data["kind"], language=data["language"], band=data["band"],
                                   jurisdiction=data["jurisdiction"], open_seats=data["open_seats"])
    page = directory_page(member, filters, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "groups/groups/directory.html", {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "mine": list(my_groups(member)),
        "jurisdictions": jurisdiction_choices(),
        "can_create": can_create_group(member),
    })


def _detail_context(request: HttpRequest, group: Group) -> dict[str, Any]:
    member = _member(request)
    membership = membership_for(member, group)
    inside = can_view_inside(member, group)
    return {
        "group": group,
        "membership": membership,
        "seats_taken": seats_taken(group),
        "facilitators": facilitators_of(group),
        "jurisdictions": [j.name for j in group.jurisdictions.all()],
        "is_member": inside,
        "is_facilitator": is_facilitator(member, group),
        "can_manage": can_manage_group(member, group),
        "can_request": can_request_to_join(member, group),
        "can_join_open": can_join_open_group(member, group),
        "can_withdraw": can_withdraw_request(member, group),
        "can_answer_invitation": can_answer_invitation(member, group),
        "can_accept_agreement": can_accept_agreement(member, group),
        "can_leave": can_leave_group(member, group),
    }


@verified_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = group_get_for_user(_member(request), pk)
    return render(request, "groups/groups/group_detail.html", _detail_context(request, group))


@role_required(Role.FACILITATOR, Role.STAFF, passkey=False)
@verified_required
@require_http_methods(["GET", "POST"])
def group_create_view(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    form = GroupCreateForm(request.POST or None, initial={"time_zone": member.profile.time_zone if hasattr(member, "profile") else "UTC"})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            group = group_create(actor=member, request=request, **data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Your group is ready. Invite members or share its page."))
            return redirect("groups:group_detail", pk=group.pk)
    return render(request, "groups/groups/group_form.html", {"form": form, "creating": True},
                  status=400 if form.errors else 200)


@verified_required
@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    group = group_inside_get_for_user(member, pk)
    if not can_manage_group(member, group):
        raise Http404
    form = GroupForm(request.POST or None, instance=Group.objects.get(pk=group.pk))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        jurisdictions = data.pop("jurisdictions")
        try:
            group_update(actor=member, group=group, jurisdictions=jurisdictions, request=request, **data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The group's details are saved."))
            return redirect("groups:group_detail", pk=group.pk)
    return render(request, "groups/groups/group_form.html", {"form": form, "group": group, "creating": False},
                  status=400 if form.errors else 200)


@verified_required
@require_http_methods(["GET", "POST"])
def group_archive_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    group = group_inside_get_for_user(member, pk)
    if not can_manage_group(member, group):
        raise Http404
    if request.method == "POST":
        group_archive(actor=member, group=group, request=request)
        messages.success(request, _("The group is archived. Members can still read it; nobody can post."))
        return redirect("groups:group_detail", pk=group.pk)
    return render(request, "groups/groups/confirm.html", {
        "group": group, "title": _("Archive this group?"),
        "explanation": _("The group leaves the directory, pending requests and invitations are closed, and "
                         "members can read but no longer post. This cannot be undone here."),
        "button": _("Archive the group"),
    })


@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def group_settings_view(request: HttpRequest) -> HttpResponse:
    form = GroupSettingsForm(request.POST or None, initial={"max_group_size": group_settings().max_group_size})
    if request.method == "POST" and form.is_valid():
        group_settings_update(actor=_member(request), request=request, **form.cleaned_data)
        messages.success(request, _("The groups setting is saved."))
        return redirect("groups:settings")
    return render(request, "groups/groups/settings.html", {"form": form}, status=400 if form.errors else 200)


# --- agreement ------------------------------------------------------------------------------
@verified_required
@require_http_methods(["GET", "POST"])
def agreement_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Read the agreement; accept it to join (open group, invitation, approved request) or to
    go on taking part after it changed."""
    member = _member(request)
    group = group_get_for_user(member, pk)
    agreement = current_agreement(group)
    may_accept = agreement is not None and (
        can_join_open_group(member, group) or can_answer_invitation(member, group)
        or can_accept_agreement(member, group)
    )
    form = AgreementAcceptForm(request.POST or None, initial={"version": group.agreement_version})
    status = 200
    if request.method == "POST":
        if not may_accept:
            raise Http404
        if form.is_valid():
            try:
                agreement_accept(actor=member, group=group, version=form.cleaned_data["version"], request=request)
            except GroupFull as full:
                messages.error(request, str(full))
                status = 409
            except ValidationError as error:
                _apply_errors(form, error)
            except PermissionDenied as refusal:
                messages.error(request, str(refusal))
                return redirect("groups:group_detail", pk=group.pk)
            else:
                messages.success(request, _("Thank you. You are a member of the group."))
                return redirect("groups:group_detail", pk=group.pk)
        if form.errors:
            status = 400
    return render(request, "groups/groups/agreement.html", {
        "group": group, "agreement": agreement, "form": form, "may_accept": may_accept,
        "membership": membership_for(member, group), "full": status == 409,
    }, status=status)


@verified_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    group = group_inside_get_for_user(member, pk)
    if not can_manage_group(member, group):
        raise Http404
    agreement = current_agreement(group)
    form = AgreementForm(request.POST or None, initial={"text": agreement.text if agreement else ""})
    if request.method == "POST" and form.is_valid():
        try:
            agreement_update(actor=member, group=group, text=form.cleaned_data["text"], request=request)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The new agreement is saved. Members will be asked to accept it again."))
            return redirect("groups:agreement", pk=group.pk)
    return render(request, "groups/groups/agreement_form.html", {"group": group, "form": form},
                  status=400 if form.errors else 200)


# --- membership -----------------------------------------------------------------------------
@verified_required
@require_POST
def group_join(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask to join (request groups); open groups are joined by accepting the agreement."""
    member = _member(request)
    group = group_get_for_user(member, pk)
    if can_join_open_group(member, group):
        return redirect("groups:agreement", pk=group.pk)
    try:
        membership_request(actor=member, group=group, request=request)
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Your request is sent. A facilitator will answer it."))
    return redirect("groups:group_detail", pk=group.pk)


@verified_required
@require_POST
def request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    group = group_get_for_user(member, pk)
    try:
        membership_withdraw(actor=member, group=group, request=request)
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Your request is withdrawn."))
    return redirect("groups:group_detail", pk=group.pk)


@verified_required
@require_POST
def invitation_decline_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    group = group_get_for_user(member, pk)
    try:
        invitation_decline(actor=member, group=group, request=request)
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
        return redirect("groups:group_detail", pk=group.pk)
    messages.success(request, _("You declined the invitation."))
    return redirect("groups:directory")


@verified_required
@require_http_methods(["GET", "POST"])
def group_leave(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    group = group_get_for_user(member, pk)
    if not can_leave_group(member, group):
        raise Http404
    if request.method == "POST":
        try:
            membership_leave(actor=member, group=group, request=request)
        except PermissionDenied as refusal:
            messages.error(request, str(refusal))
            return redirect("groups:group_detail", pk=group.pk)
        messages.success(request, _("You have left the group."))
        return redirect("groups:directory")
    return render(request, "groups/groups/confirm.html", {
        "group": group, "title": _("Leave this group?"),
        "explanation": _("You will no longer see the group's threads, case presentations or meetings. "
                         "What you wrote stays with the group."),
        "button": _("Leave the group"),
    })


def _members_page(request: HttpRequest, group: Group, *, invite_form: InviteForm | None = None,
                  status: int = 200) -> HttpResponse:
    member = _member(request)
    manage = can_manage_group(member, group)
    return render(request, "groups/groups/members.html", {
        **_inside_context(request, group, "members"),
        "members": list(members_of(group)),
        "pending": list(pending_of(group)) if manage else [],
        "invite_form": invite_form or InviteForm(),
        "seats_taken": seats_taken(group),
        "me": member,
    }, status=status)


@verified_required
def members(request: HttpRequest, pk: int) -> HttpResponse:
    group = group_inside_get_for_user(_member(request), pk)
    return _members_page(request, group)


@verified_required
@require_POST
def member_invite(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    group = group_inside_get_for_user(member, pk)
    if not can_manage_group(member, group):
        raise Http404
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            membership_invite(actor=member, group=group, pseudonym=form.cleaned_data["pseudonym"], request=request)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The invitation is sent."))
            return redirect("groups:members", pk=group.pk)
    return _members_page(request, group, invite_form=form, status=400)


_DECISIONS = ("approve", "decline", "remove", "make_facilitator", "make_member")


@verified_required
@require_POST
def membership_decide(request: HttpRequest, pk: int, membership_pk: int, action: str) -> HttpResponse:
    member = _member(request)
    group = group_inside_get_for_user(member, pk)
    if action not in _DECISIONS:
        raise Http404
    target = membership_get_for_manager(member, group, membership_pk)
    try:
        if action == "approve":
            membership_approve(actor=member, membership=target, request=request)
            messages.success(request, _("Approved. They will be asked to accept the agreement."))
        elif action == "decline":
            membership_decline(actor=member, membership=target, request=request)
            messages.success(request, _("The request is declined."))
        elif action == "remove":
            membership_remove(actor=member, membership=target, request=request)
            messages.success(request, _("The member is removed from the group."))
        else:
            role = MembershipRole.FACILITATOR if action == "make_facilitator" else MembershipRole.MEMBER
            membership_set_role(actor=member, membership=target, role=role, request=request)
            messages.success(request, _("The role is changed."))
    except GroupFull as full:
        messages.error(request, str(full))
        return _members_page(request, group, status=409)
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
    return redirect("groups:members", pk=group.pk)


# --- threads --------------------------------------------------------------------------------
@verified_required
def thread_list(request: HttpRequest, pk: int) -> HttpResponse:
    group = group_inside_get_for_user(_member(request), pk)
    page = Paginator(threads_of(group), THREADS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "groups/groups/thread_list.html", {**_inside_context(request, group, "threads"), "page": page})


def _needs_agreement_redirect(request: HttpRequest, group: Group) -> HttpResponse | None:
    member = _member(request)
    if not has_current_agreement(member, group) and group.archived_at is None:
        messages.info(request, _("The group agreement changed. Please read and accept it to take part."))
        return redirect("groups:agreement", pk=group.pk)
    if not can_take_part(member, group):
        raise Http404
    return None


@verified_required
@require_http_methods(["GET", "POST"])
def thread_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    group = group_inside_get_for_user(member, pk)
    early = _needs_agreement_redirect(request, group)
    if early is not None:
        return early
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            thread = thread_create(actor=member, group=group, title=form.cleaned_data["title"],
                                   body=form.cleaned_data["body"], phi_confirmed=form.phi_confirmed, request=request)
        except ValidationError as error:
            # PhiRefused included: the service re-checks what the form checked.
            _apply_errors(form, error)
        else:
            messages.success(request, _("Your thread is posted."))
            return redirect("groups:thread_detail", pk=group.pk, thread_pk=thread.pk)
    return render(request, "groups/groups/thread_form.html", {**_inside_context(request, group, "threads"), "form": form},
                  status=400 if form.errors else 200)


def _thread_page(request: HttpRequest, group: Group, thread_pk: int, *, form: PostForm | None = None,
                 status: int = 200) -> HttpResponse:
    member = _member(request)
    thread = thread_get_for_user(member, group, thread_pk)
    page = Paginator(posts_of(thread), POSTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "groups/groups/thread_detail.html", {
        **_inside_context(request, group, "threads"),
        "thread": thread,
        "page": page,
        "form": form or PostForm(),
        "can_post": can_post_in_thread(member, thread),
        "me": member,
    }, status=status)


@verified_required
def thread_detail(request: HttpRequest, pk: int, thread_pk: int) -> HttpResponse:
    group = group_inside_get_for_user(_member(request), pk)
    return _thread_page(request, group, thread_pk)


def _publish_guarded(request: HttpRequest, form: PostForm | EditPostForm | CommentForm, back: HttpResponse, success: str,
                     create: Callable[[str, bool], object]) -> HttpResponse | None:
    """Publish a reply or comment through its service (which runs the PHI guard): back to the page
    with a message when it is posted or refused outright, None when the form must be shown again
    with the guard's findings (or the form's own errors)."""
    if not form.is_valid():
        return None
    try:
        create(form.cleaned_data["body"], form.phi_confirmed)
    except ValidationError as error:
        _apply_errors(form, error)
        return None
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
        return back
    messages.success(request, success)
    return back


@verified_required
@require_POST
def thread_reply(request: HttpRequest, pk: int, thread_pk: int) -> HttpResponse:
    member = _member(request)
    group = group_inside_get_for_user(member, pk)
    thread = thread_get_for_user(member, group, thread_pk)
    early = _needs_agreement_redirect(request, group)
    if early is not None:
        return early
    if not can_post_in_thread(member, thread):
        messages.error(request, _("This thread is locked."))
        return redirect("groups:thread_detail", pk=group.pk, thread_pk=thread.pk)
    form = PostForm(request.POST)
    back = redirect("groups:thread_detail", pk=group.pk, thread_pk=thread.pk)
    published = _publish_guarded(
        request, form, back, _("Your reply is posted."),
        lambda body, confirmed: post_create(actor=member, thread=thread, body=body, phi_confirmed=confirmed,
                                            request=request),
    )
    return published or _thread_page(request, group, thread_pk, form=form, status=400)


@verified_required
@require_POST
def thread_lock_view(request: HttpRequest, pk: int, thread_pk: int) -> HttpResponse:
    member = _member(request)
    group = group_inside_get_for_user(member, pk)
    thread = thread_get_for_user(member, group, thread_pk)
    if not can_manage_group(member, group):
        raise Http404
    lock = not thread.is_locked
    thread_lock(actor=member, thread=thread, locked=lock, request=request)
    messages.success(request, _("The thread is locked.") if lock else _("The thread is open again."))
    return redirect("groups:thread_detail", pk=group.pk, thread_pk=thread.pk)


@verified_required
@require_POST
def post_hide_view(request: HttpRequest, pk: int, thread_pk: int, post_pk: int) -> HttpResponse:
    member = _member(request)
    group = group_inside_get_for_user(member, pk)
    thread = thread_get_for_user(member, group, thread_pk)
    if not can_manage_group(member, group):
        raise Http404
    post = post_get_in_thread(thread, post_pk)
    hide = not post.is_hidden
    post_hide(actor=member, post=post, hidden=hide, request=request)
    messages.success(request, _("The post is hidden.") if hide else _("The post is shown again."))
    return redirect("groups:thread_detail", pk=group.pk, thread_pk=thread.pk)


@verified_required
@require_http_methods(["GET", "POST"])
def post_edit_view(request: HttpRequest, pk: int, thread_pk: int, post_pk: int) -> HttpResponse:
    """The author corrects their own post (a typo, or a detail that should not have been shared):
    the same PHI guard as a new reply; the thread shows it as edited. An author who has not yet
    accepted the group's changed agreement is sent to it, as the reply form does; everyone else
    who may not edit the post gets the 404."""
    member = _member(request)
    group = group_inside_get_for_user(member, pk)
    thread = thread_get_for_user(member, group, thread_pk)
    post = post_get_for_author(member, thread, post_pk, before_agreement=True)
    early = _needs_agreement_redirect(request, group)
    if early is not None:
        return early
    form = EditPostForm(request.POST or None, initial={"body": post.body})
    back = redirect(f"{reverse('groups:thread_detail', kwargs={'pk': group.pk, 'thread_pk': thread.pk})}#post-{post.pk}")
    if request.method == "POST":
        published = _publish_guarded(
            request, form, back, _("Your post is updated."),
            lambda body, confirmed: post_edit(actor=member, post=post, body=body, phi_confirmed=confirmed,
                                              request=request),
        )
        if published is not None:
            return published
    return render(request, "groups/groups/post_edit.html", {
        **_inside_context(request, group, "threads"), "thread": thread, "post": post, "form": form,
    }, status=400 if request.method == "POST" else 200)


# --- case presentations ---------------------------------------------------------------------
@verified_required
def presentation_list(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    group = group_inside_get_for_user(member, pk)
    presentations = presentations_of(group, member, show_hidden=is_facilitator(member, group))
    page = Paginator(presentations, THREADS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "groups/groups/presentation_list.html",
                  {**_inside_context(request, group, "cases"), "page": page})


@verified_required
@require_http_methods(["GET", "POST"])
def presentation_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    group = group_inside_get_for_user(member, pk)
    early = _needs_agreement_redirect(request, group)
    if early is not None:
        return early
    form = PresentationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in PresentationForm.phi_fields}
        try:
            presentation = presentation_create(actor=member, group=group, phi_confirmed=form.phi_confirmed,
                                               request=request, **data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Your case presentation is posted to the group."))
            return redirect("groups:presentation_detail", pk=group.pk, presentation_pk=presentation.pk)
    return render(request, "groups/groups/presentation_form.html",
                  {**_inside_context(request, group, "cases"), "form": form},
                  status=400 if form.errors else 200)


def _presentation_page(request: HttpRequest, group: Group, presentation_pk: int, *,
                       form: CommentForm | None = None, status: int = 200) -> HttpResponse:
    member = _member(request)
    presentation = presentation_get_for_user(member, group, presentation_pk)
    return render(request, "groups/groups/presentation_detail.html", {
        **_inside_context(request, group, "cases"),
        "presentation": presentation,
        "comments": list(comments_of(presentation)),
        "form": form or CommentForm(),
        "can_comment": can_take_part(member, group) and not presentation.is_hidden,
        "me": member,
    }, status=status)


@verified_required
def presentation_detail(request: HttpRequest, pk: int, presentation_pk: int) -> HttpResponse:
    group = group_inside_get_for_user(_member(request), pk)
    return _presentation_page(request, group, presentation_pk)


@verified_required
@require_POST
def presentation_comment(request: HttpRequest, pk: int, presentation_pk: int) -> HttpResponse:
    member = _member(request)
    group = group_inside_get_for_user(member, pk)
    presentation = presentation_get_for_user(member, group, presentation_pk)
    early = _needs_agreement_redirect(request, group)
    if early is not None:
        return early
    form = CommentForm(request.POST)
    back = redirect("groups:presentation_detail", pk=group.pk, presentation_pk=presentation.pk)
    published = _publish_guarded(
        request, form, back, _("Your comment is posted."),
        lambda body, confirmed: comment_create(actor=member, presentation=presentation, body=body,
                                               phi_confirmed=confirmed, request=request),
    )
    return published or _presentation_page(request, group, presentation_pk, form=form, status=400)


@verified_required
@require_POST
def presentation_hide_view(request: HttpRequest, pk: int, presentation_pk: int) -> HttpResponse:
    member = _member(request)
    group = group_inside_get_for_user(member, pk)
    presentation = presentation_get_for_user(member, group, presentation_pk)
    if not can_manage_group(member, group):
        raise Http404
    hide = not presentation.is_hidden
    presentation_hide(actor=member, presentation=presentation, hidden=hide, request=request)
    messages.success(request, _("The case presentation is hidden.") if hide else _("The case presentation is shown again."))
    return redirect("groups:presentation_detail", pk=group.pk, presentation_pk=presentation.pk)


@verified_required
@require_POST
def comment_hide_view(request: HttpRequest, pk: int, presentation_pk: int, comment_pk: int) -> HttpResponse:
    member = _member(request)
    group = group_inside_get_for_user(member, pk)
    presentation = presentation_get_for_user(member, group, presentation_pk)
    if not can_manage_group(member, group):
        raise Http404
    comment = CaseComment.objects.filter(pk=comment_pk, presentation=presentation).first()
    if comment is None:
        raise Http404
    comment.presentation = presentation
    hide = not comment.is_hidden
    comment_hide(actor=member, comment=comment, hidden=hide, request=request)
    messages.success(request, _("The comment is hidden.") if hide else _("The comment is shown again."))
    return redirect("groups:presentation_detail", pk=group.pk, presentation_pk=presentation.pk)
