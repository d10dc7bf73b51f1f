"""Read-only admin pages for superusers: the admin inspects; every change goes through the
product's audited services. Encrypted fields are left out: their contents are read only
through product views that audit each look."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from peerhaven.accounts.models import Profile, RoleGrant, TermsVersion, User
from peerhaven.core.fields import EncryptedTextField
from peerhaven.core.models import AuditEntry
from peerhaven.staff.models import (
    Invitation,
    MembershipPolicy,
    MfaResetRequest,
    StaffGrantRequest,
    SuspensionRecord,
)
from peerhaven.verification.models import LicenceSubmission

# Never shown, even read-only: secrets and encrypted or hashed material.
_HIDDEN = frozenset({"password", "token_hash", "secret_hash", "document_path"})


class ReadOnlyAdmin(admin.ModelAdmin):
    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return tuple(
            field.name
            for field in self.model._meta.concrete_fields
            if not isinstance(field, EncryptedTextField) and field.name not in _HIDDEN and field.name != "id"
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return self.get_fields(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ("id", "email", "verification_status", "suspended_at", "date_joined", "is_superuser")
    list_filter = ("verification_status", "is_superuser")
    search_fields = ("email",)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return tuple(name for name in super().get_fields(request, obj) if name not in {"groups", "user_permissions"})


@admin.register(Profile)
class ProfileAdmin(ReadOnlyAdmin):
    list_display = ("user_id", "pseudonym", "profession", "country")
    list_select_related = ("user",)


@admin.register(RoleGrant)
class RoleGrantAdmin(ReadOnlyAdmin):
    list_display = ("user_id", "role", "granted_at")
    list_filter = ("role",)


@admin.register(TermsVersion)
class TermsVersionAdmin(ReadOnlyAdmin):
    """Published terms are never edited; a new version is added (members accept it at next visit)."""

    list_display = ("version", "published_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return self.get_fields(request, obj) if obj is not None else ()

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "action", "actor_id", "target_type", "target_id")
    list_filter = ("action",)


@admin.register(LicenceSubmission)
class LicenceSubmissionAdmin(ReadOnlyAdmin):
    list_display = ("id", "member_id", "licence_type", "status", "created_at")
    list_filter = ("status", "licence_type")


for _model in (MembershipPolicy, Invitation, StaffGrantRequest, MfaResetRequest, SuspensionRecord):
    admin.site.register(_model, ReadOnlyAdmin)
