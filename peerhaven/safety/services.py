"""Writes owned by safety: crisis resources (staff), reports and their review (moderators),
blocks between members. Each write is audited with codes and ids only."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peerhaven.accounts.models import User
from peerhaven.core.audit import audit_log
from peerhaven.safety.models import (
    Block,
    CrisisResource,
    Report,
    ReportStatus,
    ReportTarget,
)
from peerhaven.safety.policies import forget_cached_blocks
from peerhaven.safety.registry import Reportable

CRISIS_RESOURCE_FIELDS = ("country", "name", "phone", "text", "url", "description", "order", "is_active")


class ReportAlreadyHandled(Exception):
    """Another moderator closed this report first."""


# --- crisis resources ----------------------------------------------------------------------
def _check_fields(changes: dict[str, Any]) -> None:
    unknown = set(changes) - set(CRISIS_RESOURCE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")


def crisis_resource_create(
    *, actor: User, request: HttpRequest | None = None, **fields: Any
) -> CrisisResource:
    _check_fields(fields)
    with transaction.atomic():
        resource = CrisisResource(**fields)
        resource.country = resource.country.upper()
        resource.updated_at = timezone.now()
        resource.full_clean()
        resource.save()
        audit_log("crisis_resource.create", actor=actor, target=resource, request=request,
                  country=resource.country)
    return resource


def crisis_resource_update(
    *, actor: User, resource: CrisisResource, request: HttpRequest | None = None, **changes: Any
) -> CrisisResource:
    _check_fields(changes)
    with transaction.atomic():
        resource = CrisisResource.objects.select_for_update().get(pk=resource.pk)
        for field, value in changes.items():
            setattr(resource, field, value)
        resource.country = resource.country.upper()
        resource.updated_at = timezone.now()
        resource.full_clean()
        resource.save(update_fields=[*changes.keys(), "country", "updated_at"])
        audit_log("crisis_resource.update", actor=actor, target=resource, request=request,
                  fields=sorted(changes))
    return resource


def crisis_resource_deactivate(
    *, actor: User, resource: CrisisResource, request: HttpRequest | None = None
) -> CrisisResource:
    with transaction.atomic():
        resource = CrisisResource.objects.select_for_update().get(pk=resource.pk)
        resource.is_active = False
        resource.updated_at = timezone.now()
        resource.save(update_fields=["is_active", "updated_at"])
        audit_log("crisis_resource.deactivate", actor=actor, target=resource, request=request)
    return resource


# --- reports -------------------------------------------------------------------------------
def report_member_create(
    *, actor: User, member: User, reason: str, details: str = "", request: HttpRequest | None = None
) -> Report:
    if member.pk == actor.pk:
        raise ValidationError(_("You cannot report yourself."), code="self")
    with transaction.atomic():
        report = Report(
            reporter=actor, target_kind=ReportTarget.MEMBER, target_member=member,
            reason=reason, details=details,
        )
        report.full_clean()
        report.save()
        audit_log("report.create", actor=actor, target=report, request=request,
                  kind=ReportTarget.MEMBER, reason=reason)
    return report


def report_content_create(
    *, actor: User, reportable: Reportable, target: models.Model, reason: str, details: str = "",
    request: HttpRequest | None = None,
) -> Report:
    if reportable.author_id is not None and reportable.author_id(target) == actor.pk:
        raise ValidationError(_("You cannot report your own content."), code="self")
    with transaction.atomic():
        report = Report(
            reporter=actor, target_kind=ReportTarget.CONTENT,
            content_type=ContentType.objects.get_for_model(target, for_concrete_model=True),
            object_id=target.pk, reason=reason, details=details,
        )
        report.full_clean()
        report.save()
        audit_log("report.create", actor=actor, target=report, request=request,
                  kind=ReportTarget.CONTENT, content=reportable.label, reason=reason)
    return report


def _report_close(
    *, actor: User, report: Report, status: str, note: str, action: str, request: HttpRequest | None
) -> Report:
    with transaction.atomic():
        # Row lock: two moderators acting at once must not both close (and both notify).
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status != ReportStatus.OPEN:
            raise ReportAlreadyHandled
        report.status = status
        report.resolution_note = note
        report.handled_by = actor
        report.handled_at = timezone.now()
        report.full_clean()
        report.save(update_fields=["status", "resolution_note", "handled_by", "handled_at"])
        audit_log(action, actor=actor, target=report, request=request, reason=report.reason)
        reporter_id = report.reporter_id
        if reporter_id is not None:
            transaction.on_commit(lambda: _notify_reporter(reporter_id))
    return report


def report_dismiss(
    *, actor: User, report: Report, note: str = "", request: HttpRequest | None = None
) -> Report:
    return _report_close(actor=actor, report=report, status=ReportStatus.DISMISSED, note=note,
                         action="report.dismiss", request=request)


def report_action(
    *, actor: User, report: Report, note: str, request: HttpRequest | None = None
) -> Report:
    if not note.strip():
        raise ValidationError({"note": _("Say what was done, for the record.")})
    return _report_close(actor=actor, report=report, status=ReportStatus.ACTIONED, note=note,
                         action="report.action", request=request)


def _notify_reporter(reporter_id: int) -> None:
    """Tell the reporter their report was reviewed. Nothing about the outcome or the member:
    the notification only points at their list of reports."""
    from peerhaven.notifications.services import notify

    reporter = User.objects.filter(pk=reporter_id).first()
    if reporter is None:
        return
    notify(user=reporter, kind="safety.report_resolved", link=reverse("safety:my_reports"))


# --- blocks --------------------------------------------------------------------------------
def block_create(*, actor: User, member: User, request: HttpRequest | None = None) -> Block:
    """Block `member`. Blocking twice is harmless: the first block stands."""
    if member.pk == actor.pk:
        raise ValidationError(_("You cannot block yourself."), code="self")
    try:
        with transaction.atomic():
            block, created = Block.objects.get_or_create(blocker=actor, blocked=member)
            if created:
                audit_log("block.create", actor=actor, target=member, request=request)
    except IntegrityError:
        # A second request for the same pair raced us to the unique constraint.
        block = Block.objects.get(blocker=actor, blocked=member)
    forget_cached_blocks(actor, member)
    return block


def block_delete(*, actor: User, member: User, request: HttpRequest | None = None) -> bool:
    """Lift a block `actor` made on `member`. Only the blocker can; True when one was lifted."""
    with transaction.atomic():
        deleted, _rows = Block.objects.filter(blocker=actor, blocked=member).delete()
        if deleted:
            audit_log("block.delete", actor=actor, target=member, request=request)
    forget_cached_blocks(actor, member)
    return bool(deleted)

