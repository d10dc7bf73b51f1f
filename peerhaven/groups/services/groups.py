"""Writes for groups: creating and editing groups, the staff's size setting, agreements and
their acceptance, the join flows (open, request, invitation), leaving and removal, threads and
posts, case presentations and comments, and the facilitators' moderation tools.

Seats are counted in one place, `_take_seat`, under a row lock on the group. Every case-material
write passes the PHI guard here (structured identifiers refused, soft findings only when the
author confirmed them, and that confirmation audited), whatever the caller checked before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peerhaven.core.audit import audit_log
from peerhaven.groups.models.groups import (
    GROUP_SETTINGS_PK,
    SEAT_STATUSES,
    CaseComment,
    CasePresentation,
    Group,
    GroupAgreement,
    GroupJurisdiction,
    GroupSettings,
    JoinPolicy,
    Membership,
    MembershipRole,
    MembershipStatus,
    Post,
    Thread,
    time_zone_band,
)
from peerhaven.groups.policies.groups import (
    can_accept_agreement,
    can_answer_invitation,
    can_create_group,
    can_decide_membership,
    can_edit_post,
    can_join_open_group,
    can_leave_group,
    can_manage_group,
    can_post_in_thread,
    can_request_to_join,
    can_take_part,
    forget_membership,
    membership_for,
)
from peerhaven.groups.selectors.groups import max_group_size
from peerhaven.safety.phi import Finding
from peerhaven.safety.phi_forms import category_label, phi_check, phi_confirmation_log

MAX_JURISDICTIONS = 10


class GroupFull(Exception):
    """Every seat is taken: answered with a 409 and a kind message."""


class PhiRefused(ValidationError):
    """Case material that the PHI guard refuses. `findings` maps each field to its findings
    (positions and categories only: the API hands them back, never the text)."""

    def __init__(self, message_dict: dict[str, list[str]], findings: Mapping[str, list[Finding]]) -> None:
        super().__init__(message_dict)
        self.findings = dict(findings)


# --- helpers --------------------------------------------------------------------------------
def _notify(*, users: Iterable[Any], kind: str, link: str) -> None:
    from peerhaven.notifications.services import notify

    for user in users:
        notify(user=user, kind=kind, link=link)


def _group_link(group: Group) -> str:
    return reverse("groups:group_detail", kwargs={"pk": group.pk})


def _facilitator_users(group: Group) -> list[Any]:
    return [
        membership.user
        for membership in Membership.objects.filter(
            group=group, status=MembershipStatus.ACTIVE, role=MembershipRole.FACILITATOR
        ).select_related("user")
    ]


def _lock_group(group: Group) -> Group:
    # The group row is the lock for its seats and memberships: concurrent joins, approvals and
    # invitation acceptances queue here (bounded by the database's lock timeout).
    return Group.objects.select_for_update().get(pk=group.pk)


def _take_seat(locked: Group, membership: Membership | None) -> None:
    """Refuse when the group is full. Call with the group row locked."""
    if membership is not None and membership.status in SEAT_STATUSES:
        return
    taken = Membership.objects.filter(group=locked, status__in=SEAT_STATUSES).count()
    if taken >= locked.capacity:
        raise GroupFull(_("This group is full at the moment. We are sorry: a seat may free up later, "
                          "or another group may suit you."))


def _clean_jurisdictions(jurisdictions: Iterable[str]) -> list[str]:
    names: dict[str, str] = {}
    for raw in jurisdictions:
        name = " ".join(str(raw).split())[:80]
        if name:
            names.setdefault(name.casefold(), name)
    if len(names) > MAX_JURISDICTIONS:
        raise ValidationError({"jurisdictions": _("List at most ten jurisdictions.")})
    return list(names.values())


def _validate_capacity(capacity: int, *, seated: int = 0) -> None:
    limit = max_group_size()
    if capacity > limit:
        raise ValidationError({"capacity": _("Groups hold at most %(limit)d members here.") % {"limit": limit}})
    if capacity < seated:
        raise ValidationError({"capacity": _("The group already has %(count)d members: the capacity "
                                             "cannot be lower.") % {"count": seated}})


def phi_guard(
    texts: Mapping[str, str], *, confirmed: bool, actor: Any, request: HttpRequest | None = None,
) -> list[Finding]:
    """Check case material before it is published. Structured identifiers are refused; soft
    findings (a possible name or place) pass only when the author confirmed them, and the
    confirmation is written to the audit log (categories and counts only). Returns the
    confirmed soft findings."""
    errors: dict[str, list[str]] = {}
    findings: dict[str, list[Finding]] = {}
    soft: list[Finding] = []
    for field, text in texts.items():
        check = phi_check(text or "")
        if not check.findings:
            continue
        findings[field] = list(check.findings)
        blocking_labels = dict.fromkeys(category_label(f.category) for f in check.blocking)
        soft_labels = dict.fromkeys(category_label(f.category) for f in check.soft)
        if blocking_labels:
            errors.setdefault(field, []).append(
                _("This seems to include identifying details (%(categories)s). Case material must be "
                  "de-identified: please remove them before posting.") % {"categories": ", ".join(blocking_labels)})
        if soft_labels and not confirmed:
            errors.setdefault(field, []).append(
                _("This may include identifying details (%(categories)s). Please edit them, or confirm "
                  "that they do not identify anyone.") % {"categories": ", ".join(soft_labels)})
        soft.extend(check.soft)
    if errors:
        raise PhiRefused(errors, findings)
    phi_confirmation_log(actor=actor, findings=soft, request=request)
    return soft


# --- staff setting ----------------------------------------------------------------------------
def group_settings_update(*, actor: Any, max_group_size: int, request: HttpRequest | None = None) -> GroupSettings:
    with transaction.atomic():
        row, _created = GroupSettings.objects.select_for_update().get_or_create(pk=GROUP_SETTINGS_PK)
        row.max_group_size = max_group_size
        row.updated_at = timezone.now()
        row.full_clean()
        row.save(update_fields=["max_group_size", "updated_at"])
        audit_log("groups.settings_update", actor=actor, target=row, request=request, max_group_size=max_group_size)
    return row


# --- groups -----------------------------------------------------------------------------------
def group_create(
    *, actor: Any, name: str, description: str, kind: str, visibility: str, join_policy: str, capacity: int,
    language: str, time_zone: str, jurisdictions: Iterable[str] = (), agreement_text: str,
    request: HttpRequest | None = None,
) -> Group:
    """A new group with its first agreement; the creator is its first facilitator (and has
    accepted the agreement they wrote)."""
    if not can_create_group(actor):
        raise PermissionDenied(_("Only facilitators and staff can start a group."))
    _validate_capacity(capacity)
    names = _clean_jurisdictions(jurisdictions)
    if not agreement_text.strip():
        raise ValidationError({"agreement_text": _("Write the group agreement: members accept it to join.")})
    now = timezone.now()
    with transaction.atomic():
        group = Group(name=name.strip(), description=description.strip(), kind=kind, visibility=visibility,
                      join_policy=join_policy, capacity=capacity, language=language, time_zone=time_zone,
                      created_by=actor, agreement_version=1)
        group.full_clean()
        group.time_zone_band = time_zone_band(group.time_zone)
        group.save()
        GroupJurisdiction.objects.bulk_create(GroupJurisdiction(group=group, name=n) for n in names)
        agreement = GroupAgreement(group=group, version=1, text=agreement_text.strip(), created_by=actor)
        agreement.full_clean()
        agreement.save()
        Membership.objects.create(
            group=group, user=actor, role=MembershipRole.FACILITATOR, status=MembershipStatus.ACTIVE,
            agreement_version=1, agreement_accepted_at=now, joined_at=now, updated_at=now,
        )
        audit_log("groups.group_create", actor=actor, target=group, request=request, kind=kind,
                  visibility=visibility, join_policy=join_policy, capacity=capacity)
    return group


_EDITABLE = ("name", "description", "kind", "visibility", "join_policy", "capacity", "language", "time_zone")


def group_update(
    *, actor: Any, group: Group, jurisdictions: Iterable[str] | None = None, request: HttpRequest | None = None,
    **fields: Any,
) -> Group:
    unknown = set(fields) - set(_EDITABLE)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    if not can_manage_group(actor, group):
        raise PermissionDenied(_("Only the group's facilitators can change it."))
    with transaction.atomic():
        locked = _lock_group(group)
        for name, value in fields.items():
            setattr(locked, name, value.strip() if isinstance(value, str) and name in ("name", "description") else value)
        seated = Membership.objects.filter(group=locked, status__in=SEAT_STATUSES).count()
        _validate_capacity(locked.capacity, seated=seated)
        locked.full_clean()
        locked.time_zone_band = time_zone_band(locked.time_zone)
        locked.updated_at = timezone.now()
        locked.save(update_fields=[*fields, "time_zone_band", "updated_at"])
        if jurisdictions is not None:
            names = _clean_jurisdictions(jurisdictions)
            GroupJurisdiction.objects.filter(group=locked).delete()
            GroupJurisdiction.objects.bulk_create(GroupJurisdiction(group=locked, name=n) for n in names)
        audit_log("groups.group_update", actor=actor, target=locked, request=request, fields=sorted(fields))
    return locked


def agreement_update(*, actor: Any, group: Group, text: str, request: HttpRequest | None = None) -> GroupAgreement:
    """A new version of the agreement. Every other member is asked to accept it again before they
    take part; the facilitator who wrote it has accepted it."""
    if not can_manage_group(actor, group):
        raise PermissionDenied(_("Only the group's facilitators can change the agreement."))
    if not text.strip():
        raise ValidationError({"text": _("The agreement cannot be empty.")})
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_group(group)
        version = locked.agreement_version + 1
        agreement = GroupAgreement(group=locked, version=version, text=text.strip(), created_by=actor)
        agreement.full_clean()
        agreement.save()
        Group.objects.filter(pk=locked.pk).update(agreement_version=version, updated_at=now)
        Membership.objects.filter(group=locked, user=actor).update(
            agreement_version=version, agreement_accepted_at=now, updated_at=now)
        audit_log("groups.agreement_update", actor=actor, target=locked, request=request, version=version)
        others = [
            m.user for m in Membership.objects.filter(group=locked, status=MembershipStatus.ACTIVE)
            .exclude(user=actor).select_related("user")
        ]
        _notify(users=others, kind="groups.agreement_changed",
                link=reverse("groups:agreement", kwargs={"pk": locked.pk}))
    group.agreement_version = version
    forget_membership(group)
    return agreement


def group_archive(*, actor: Any, group: Group, request: HttpRequest | None = None) -> Group:
    """Archive: the group leaves the directory and becomes read-only for its members."""
    if not can_manage_group(actor, group):
        raise PermissionDenied(_("Only the group's facilitators can archive it."))
    with transaction.atomic():
        locked = _lock_group(group)
        locked.archived_at = timezone.now()
        locked.updated_at = locked.archived_at
        locked.save(update_fields=["archived_at", "updated_at"])
        # Nobody waits on a group that no longer takes members.
        Membership.objects.filter(
            group=locked, status__in=(MembershipStatus.REQUESTED, MembershipStatus.INVITED)
        ).update(status=MembershipStatus.DECLINED, updated_at=locked.archived_at)
        audit_log("groups.group_archive", actor=actor, target=locked, request=request)
    group.archived_at = locked.archived_at
    return locked


# --- joining ----------------------------------------------------------------------------------
def membership_request(*, actor: Any, group: Group, request: HttpRequest | None = None) -> Membership:
    """Ask to join a group whose facilitators approve members."""
    if not can_request_to_join(actor, group):
        raise PermissionDenied(_("You cannot ask to join this group."))
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_group(group)
        membership = Membership.objects.filter(group=locked, user=actor).first()
        if membership is None:
            membership = Membership(group=locked, user=actor)
        membership.status = MembershipStatus.REQUESTED
        membership.role = MembershipRole.MEMBER
        membership.requested_at = now
        membership.ended_at = None
        membership.updated_at = now
        membership.save()
        audit_log("groups.membership_request", actor=actor, target=membership, request=request, group=locked.pk)
        _notify(users=_facilitator_users(locked), kind="groups.join_request",
                link=reverse("groups:members", kwargs={"pk": locked.pk}))
    forget_membership(group)
    return membership


def membership_withdraw(*, actor: Any, group: Group, request: HttpRequest | None = None) -> Membership:
    membership = membership_for(actor, group)
    if membership is None or membership.status != MembershipStatus.REQUESTED:
        raise PermissionDenied(_("There is no request to withdraw."))
    with transaction.atomic():
        updated = Membership.objects.filter(pk=membership.pk, status=MembershipStatus.REQUESTED).update(
            status=MembershipStatus.LEFT, ended_at=timezone.now(), updated_at=timezone.now())
        if not updated:
            raise PermissionDenied(_("There is no request to withdraw."))
        audit_log("groups.membership_withdraw", actor=actor, target=membership, request=request, group=group.pk)
    forget_membership(group)
    membership.refresh_from_db()
    return membership


def membership_approve(*, actor: Any, membership: Membership, request: HttpRequest | None = None) -> Membership:
    """Approve a request: the member takes a seat and is asked to accept the agreement."""
    if not can_decide_membership(actor, membership):
        raise PermissionDenied(_("Only the group's facilitators can decide requests."))
    with transaction.atomic():
        locked = _lock_group(membership.group)
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        if current.status != MembershipStatus.REQUESTED:
            raise PermissionDenied(_("This request was already answered."))
        _take_seat(locked, current)
        current.status = MembershipStatus.APPROVED
        current.updated_at = timezone.now()
        current.save(update_fields=["status", "updated_at"])
        audit_log("groups.membership_approve", actor=actor, target=current, request=request, group=locked.pk)
        _notify(users=[current.user], kind="groups.request_approved",
                link=reverse("groups:agreement", kwargs={"pk": locked.pk}))
    forget_membership(membership.group)
    return current


def membership_decline(*, actor: Any, membership: Membership, request: HttpRequest | None = None) -> Membership:
    if not can_decide_membership(actor, membership):
        raise PermissionDenied(_("Only the group's facilitators can decide requests."))
    with transaction.atomic():
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        if current.status != MembershipStatus.REQUESTED:
            raise PermissionDenied(_("This request was already answered."))
        current.status = MembershipStatus.DECLINED
        current.ended_at = current.updated_at = timezone.now()
        current.save(update_fields=["status", "ended_at", "updated_at"])
        audit_log("groups.membership_decline", actor=actor, target=current, request=request, group=current.group_id)
        _notify(users=[current.user], kind="groups.request_declined", link=reverse("groups:directory"))
    forget_membership(membership.group)
    return current


def membership_invite(*, actor: Any, group: Group, pseudonym: str, request: HttpRequest | None = None) -> Membership:
    """Invite a verified member, found by their pseudonym. Their seat is taken when they accept
    the agreement. An unknown pseudonym and one that cannot be invited get the same answer."""
    from peerhaven.accounts.models import User
    from peerhaven.core.policies import is_verified
    from peerhaven.safety.policies import is_blocked_between

    if not can_manage_group(actor, group):
        raise PermissionDenied(_("Only the group's facilitators can invite members."))
    wanted = pseudonym.strip()
    refusal = ValidationError({"pseudonym": _("We could not invite anyone by that pseudonym. Check the spelling.")})
    invitee = User.objects.filter(profile__pseudonym__iexact=wanted).select_related("profile").first() if wanted else None
    if invitee is None or invitee.pk == actor.pk or not is_verified(invitee) or is_blocked_between(actor, invitee):
        raise refusal
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_group(group)
        membership = Membership.objects.filter(group=locked, user=invitee).first()
        if membership is not None and membership.status in (*SEAT_STATUSES, MembershipStatus.INVITED):
            raise ValidationError({"pseudonym": _("This member is already in the group or invited.")})
        if membership is None:
            membership = Membership(group=locked, user=invitee)
        membership.status = MembershipStatus.INVITED
        membership.role = MembershipRole.MEMBER
        membership.invited_by = actor
        membership.requested_at = now
        membership.ended_at = None
        membership.updated_at = now
        membership.save()
        audit_log("groups.membership_invite", actor=actor, target=membership, request=request, group=locked.pk)
        _notify(users=[invitee], kind="groups.invited", link=reverse("groups:agreement", kwargs={"pk": locked.pk}))
    forget_membership(group)
    return membership


def invitation_decline(*, actor: Any, group: Group, request: HttpRequest | None = None) -> Membership:
    if not can_answer_invitation(actor, group):
        raise PermissionDenied(_("There is no invitation to answer."))
    with transaction.atomic():
        current = Membership.objects.select_for_update().get(group=group, user=actor)
        if current.status != MembershipStatus.INVITED:
            raise PermissionDenied(_("There is no invitation to answer."))
        current.status = MembershipStatus.DECLINED
        current.ended_at = current.updated_at = timezone.now()
        current.save(update_fields=["status", "ended_at", "updated_at"])
        audit_log("groups.invitation_decline", actor=actor, target=current, request=request, group=group.pk)
    forget_membership(group)
    return current


def agreement_accept(
    *, actor: Any, group: Group, version: int, request: HttpRequest | None = None,
) -> Membership:
    """Accept the group's agreement (version `version`, the one the member read). This is how a
    member becomes active: joining an open group, answering an invitation, completing an approved
    request, or accepting a changed agreement again. A full group raises GroupFull."""
    may_join_open = can_join_open_group(actor, group)
    if not (may_join_open or can_answer_invitation(actor, group) or can_accept_agreement(actor, group)):
        raise PermissionDenied(_("There is no agreement for you to accept in this group."))
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_group(group)
        if version != locked.agreement_version:
            raise ValidationError({"version": _("The agreement has just changed. Please read the new version "
                                                "and accept it again.")})
        membership = Membership.objects.select_for_update().filter(group=locked, user=actor).first()
        first_time = membership is None or membership.status != MembershipStatus.ACTIVE
        if membership is None or membership.status in (MembershipStatus.LEFT, MembershipStatus.DECLINED):
            if locked.join_policy != JoinPolicy.OPEN or locked.archived_at is not None:
                raise PermissionDenied(_("There is no agreement for you to accept in this group."))
            membership = membership or Membership(group=locked, user=actor)
        elif membership.status in (MembershipStatus.REMOVED, MembershipStatus.REQUESTED):
            raise PermissionDenied(_("There is no agreement for you to accept in this group."))
        _take_seat(locked, membership)
        membership.status = MembershipStatus.ACTIVE
        membership.agreement_version = locked.agreement_version
        membership.agreement_accepted_at = now
        if first_time:
            membership.joined_at = now
            membership.ended_at = None
        membership.updated_at = now
        try:
            with transaction.atomic():
                membership.save()
        except IntegrityError as clash:
            # Another request of the same member created the row first: let them retry.
            raise PermissionDenied(_("Your membership changed meanwhile. Please try again.")) from clash
        audit_log("groups.agreement_accept", actor=actor, target=membership, request=request,
                  group=locked.pk, version=locked.agreement_version, joined=first_time)
        if first_time:
            _notify(users=[u for u in _facilitator_users(locked) if u.pk != actor.pk],
                    kind="groups.member_joined", link=reverse("groups:members", kwargs={"pk": locked.pk}))
    forget_membership(group)
    return membership


def membership_leave(*, actor: Any, group: Group, request: HttpRequest | None = None) -> Membership:
    if not can_leave_group(actor, group):
        raise PermissionDenied(_("You are not a member of this group."))
    with transaction.atomic():
        locked = _lock_group(group)
        current = Membership.objects.select_for_update().get(group=locked, user=actor)
        if (
            current.role == MembershipRole.FACILITATOR
            and locked.archived_at is None
            and not Membership.objects.filter(group=locked, status=MembershipStatus.ACTIVE,
                                              role=MembershipRole.FACILITATOR).exclude(pk=current.pk).exists()
        ):
            raise PermissionDenied(_("You are the group's only facilitator. Name another facilitator first, "
                                     "or archive the group."))
        current.status = MembershipStatus.LEFT
        current.role = MembershipRole.MEMBER
        current.ended_at = current.updated_at = timezone.now()
        current.save(update_fields=["status", "role", "ended_at", "updated_at"])
        audit_log("groups.membership_leave", actor=actor, target=current, request=request, group=locked.pk)
    forget_membership(group)
    return current


def membership_remove(*, actor: Any, membership: Membership, request: HttpRequest | None = None) -> Membership:
    """A facilitator removes a member (or withdraws an invitation). The member can no longer see
    anything of the group and cannot ask to join again."""
    if not can_decide_membership(actor, membership):
        raise PermissionDenied(_("Only the group's facilitators can remove members."))
    with transaction.atomic():
        _lock_group(membership.group)
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        if current.status not in (*SEAT_STATUSES, MembershipStatus.INVITED):
            raise PermissionDenied(_("This person is not a member of the group."))
        current.status = MembershipStatus.REMOVED
        current.role = MembershipRole.MEMBER
        current.ended_at = current.updated_at = timezone.now()
        current.save(update_fields=["status", "role", "ended_at", "updated_at"])
        audit_log("groups.membership_remove", actor=actor, target=current, request=request, group=current.group_id)
        _notify(users=[current.user], kind="groups.removed", link=reverse("groups:directory"))
    forget_membership(membership.group)
    return current


def membership_set_role(
    *, actor: Any, membership: Membership, role: str, request: HttpRequest | None = None,
) -> Membership:
    """Make an active member a co-facilitator, or step one back to member."""
    if role not in MembershipRole.values:
        raise ValidationError({"role": _("Choose a role from the list.")})
    if not can_decide_membership(actor, membership) or membership.status != MembershipStatus.ACTIVE:
        raise PermissionDenied(_("Only the group's facilitators can change roles of active members."))
    with transaction.atomic():
        _lock_group(membership.group)
        Membership.objects.filter(pk=membership.pk).update(role=role, updated_at=timezone.now())
        audit_log("groups.membership_role", actor=actor, target=membership, request=request,
                  group=membership.group_id, role=role)
    membership.role = role
    forget_membership(membership.group)
    return membership


# --- threads and posts ------------------------------------------------------------------------
def thread_create(
    *, actor: Any, group: Group, title: str, body: str, phi_confirmed: bool = False,
    request: HttpRequest | None = None,
) -> Thread:
    if not can_take_part(actor, group):
        raise PermissionDenied(_("Only members who accepted the current agreement can start a thread."))
    title, body = title.strip(), body.strip()
    if not body:
        raise ValidationError({"body": _("Write a message first.")})
    with transaction.atomic():
        confirmed = phi_guard({"title": title, "body": body}, confirmed=phi_confirmed, actor=actor, request=request)
        now = timezone.now()
        thread = Thread(group=group, title=title, author=actor, created_at=now, last_post_at=now)
        thread.full_clean()
        thread.save()
        post = Post(thread=thread, author=actor, body=body, created_at=now)
        post.full_clean()
        post.save()
        audit_log("groups.thread_create", actor=actor, target=thread, request=request, group=group.pk,
                  phi_confirmed=len(confirmed))
        others = [m.user for m in Membership.objects.filter(group=group, status=MembershipStatus.ACTIVE)
                  .exclude(user=actor).select_related("user")]
        _notify(users=others, kind="groups.new_thread",
                link=reverse("groups:thread_detail", kwargs={"pk": group.pk, "thread_pk": thread.pk}))
    return thread


def post_create(
    *, actor: Any, thread: Thread, body: str, phi_confirmed: bool = False, request: HttpRequest | None = None,
) -> Post:
    if not can_post_in_thread(actor, thread):
        raise PermissionDenied(_("You cannot post in this thread."))
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a message first.")})
    with transaction.atomic():
        confirmed = phi_guard({"body": body}, confirmed=phi_confirmed, actor=actor, request=request)
        locked = Thread.objects.select_for_update().get(pk=thread.pk)
        if locked.is_locked:
            raise PermissionDenied(_("This thread is locked."))
        post = Post(thread=locked, author=actor, body=body)
        post.full_clean()
        post.save()
        Thread.objects.filter(pk=locked.pk).update(last_post_at=post.created_at)
        audit_log("groups.post_create", actor=actor, target=post, request=request, thread=locked.pk,
                  phi_confirmed=len(confirmed))
        earlier_authors = (
            Post.objects.filter(thread=locked).exclude(author=actor).values_list("author_id", flat=True).distinct()
        )
        recipients = [m.user for m in Membership.objects.filter(
            group_id=locked.group_id, status=MembershipStatus.ACTIVE, user_id__in=earlier_authors
        ).select_related("user")]
        _notify(users=recipients, kind="groups.thread_reply",
                link=reverse("groups:thread_detail", kwargs={"pk": locked.group_id, "thread_pk": locked.pk}))
    return post


def post_edit(
    *, actor: Any, post: Post, body: str, phi_confirmed: bool = False, request: HttpRequest | None = None,
) -> Post:
    if not can_edit_post(actor, post):
        raise PermissionDenied(_("You cannot edit this post."))
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a message first.")})
    with transaction.atomic():
        confirmed = phi_guard({"body": body}, confirmed=phi_confirmed, actor=actor, request=request)
        post.body = body
        post.edited_at = timezone.now()
        post.full_clean()
        post.save(update_fields=["body", "edited_at"])
        audit_log("groups.post_edit", actor=actor, target=post, request=request, phi_confirmed=len(confirmed))
    return post


def post_hide(*, actor: Any, post: Post, hidden: bool = True, request: HttpRequest | None = None) -> Post:
    """Moderation: a facilitator hides (or restores) a post; its author still sees it, marked."""
    group = post.thread.group
    if not can_manage_group(actor, group):
        raise PermissionDenied(_("Only the group's facilitators can hide posts."))
    with transaction.atomic():
        post.hidden_at = timezone.now() if hidden else None
        post.hidden_by = actor if hidden else None
        post.save(update_fields=["hidden_at", "hidden_by"])
        audit_log("groups.post_hide" if hidden else "groups.post_unhide", actor=actor, target=post,
                  request=request, thread=post.thread_id)
    return post


def thread_lock(*, actor: Any, thread: Thread, locked: bool = True, request: HttpRequest | None = None) -> Thread:
    if not can_manage_group(actor, thread.group):
        raise PermissionDenied(_("Only the group's facilitators can lock threads."))
    with transaction.atomic():
        thread.locked_at = timezone.now() if locked else None
        thread.locked_by = actor if locked else None
        thread.save(update_fields=["locked_at", "locked_by"])
        audit_log("groups.thread_lock" if locked else "groups.thread_unlock", actor=actor, target=thread,
                  request=request, group=thread.group_id)
    return thread


# --- case presentations -----------------------------------------------------------------------
CASE_FIELDS = ("title", "presenting_question", "context", "vignette", "needs")


def presentation_create(
    *, actor: Any, group: Group, title: str, presenting_question: str, context: str, vignette: str, needs: str,
    phi_confirmed: bool = False, request: HttpRequest | None = None,
) -> CasePresentation:
    if not can_take_part(actor, group):
        raise PermissionDenied(_("Only members who accepted the current agreement can present a case."))
    texts = {"title": title.strip(), "presenting_question": presenting_question.strip(), "context": context.strip(),
             "vignette": vignette.strip(), "needs": needs.strip()}
    missing = {name: [_("This part of the template is needed.")] for name, text in texts.items() if not text}
    if missing:
        raise ValidationError(missing)
    with transaction.atomic():
        confirmed = phi_guard(texts, confirmed=phi_confirmed, actor=actor, request=request)
        presentation = CasePresentation(group=group, author=actor, **texts)
        presentation.full_clean()
        presentation.save()
        audit_log("groups.presentation_create", actor=actor, target=presentation, request=request,
                  group=group.pk, phi_confirmed=len(confirmed))
        others = [m.user for m in Membership.objects.filter(group=group, status=MembershipStatus.ACTIVE)
                  .exclude(user=actor).select_related("user")]
        _notify(users=others, kind="groups.case_presented",
                link=reverse("groups:presentation_detail", kwargs={"pk": group.pk, "presentation_pk": presentation.pk}))
    return presentation


def presentation_hide(
    *, actor: Any, presentation: CasePresentation, hidden: bool = True, request: HttpRequest | None = None,
) -> CasePresentation:
    if not can_manage_group(actor, presentation.group):
        raise PermissionDenied(_("Only the group's facilitators can hide case presentations."))
    with transaction.atomic():
        presentation.hidden_at = timezone.now() if hidden else None
        presentation.hidden_by = actor if hidden else None
        presentation.save(update_fields=["hidden_at", "hidden_by"])
        audit_log("groups.presentation_hide" if hidden else "groups.presentation_unhide", actor=actor,
                  target=presentation, request=request, group=presentation.group_id)
    return presentation


def comment_create(
    *, actor: Any, presentation: CasePresentation, body: str, phi_confirmed: bool = False,
    request: HttpRequest | None = None,
) -> CaseComment:
    if not can_take_part(actor, presentation.group) or presentation.is_hidden:
        raise PermissionDenied(_("You cannot comment on this case presentation."))
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a comment first.")})
    with transaction.atomic():
        confirmed = phi_guard({"body": body}, confirmed=phi_confirmed, actor=actor, request=request)
        comment = CaseComment(presentation=presentation, author=actor, body=body)
        comment.full_clean()
        comment.save()
        audit_log("groups.comment_create", actor=actor, target=comment, request=request,
                  presentation=presentation.pk, phi_confirmed=len(confirmed))
        if presentation.author_id is not None and presentation.author_id != actor.pk:
            author = Membership.objects.filter(group=presentation.group, user_id=presentation.author_id,
                                               status=MembershipStatus.ACTIVE).select_related("user").first()
            if author is not None:
                _notify(users=[author.user], kind="groups.case_comment",
                        link=reverse("groups:presentation_detail",
                                     kwargs={"pk": presentation.group_id, "presentation_pk": presentation.pk}))
    return comment


def comment_hide(*, actor: Any, comment: CaseComment, hidden: bool = True, request: HttpRequest | None = None) -> CaseComment:
    if not can_manage_group(actor, comment.presentation.group):
        raise PermissionDenied(_("Only the group's facilitators can hide comments."))
    with transaction.atomic():
        comment.hidden_at = timezone.now() if hidden else None
        comment.hidden_by = actor if hidden else None
        comment.save(update_fields=["hidden_at", "hidden_by"])
        audit_log("groups.comment_hide" if hidden else "groups.comment_unhide", actor=actor, target=comment,
                  request=request, presentation=comment.presentation_id)
    return comment



# --- privacy ----------------------------------------------------------------------------------
def erase_member(user: Any, *, keep_posts_as_former_member: bool) -> None:
    """Erasure: memberships go; what the member wrote either goes or stays as "former member"
    (the author links are SET_NULL when the user row is deleted). A thread they started stays
    with the others' replies, its title kept; their own posts in it follow the same rule."""
    if not keep_posts_as_former_member:
        Post.objects.filter(author=user).delete()
        CaseComment.objects.filter(author=user).delete()
        CasePresentation.objects.filter(author=user).delete()
        for thread in Thread.objects.filter(author=user):
            if not thread.posts.exists():
                thread.delete()
    Membership.objects.filter(user=user).delete()
