"""Writing the instance settings (staff only; the view checks the role)."""

from __future__ import annotations

import hashlib
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from peerhaven.core.audit import audit_log
from peerhaven.sitesettings.logo import ProcessedLogo
from peerhaven.sitesettings.models import SINGLETON_PK, InstanceSettings
from peerhaven.sitesettings.selectors import forget_cached_settings, instance_defaults

EDITABLE_FIELDS = (
    "organisation_name", "primary_colour", "accent_colour", "contact_email",
    "default_time_zone", "default_language", "enabled_programmes",
)


def instance_settings_update(
    *,
    actor: Any,
    request: HttpRequest | None = None,
    changes: dict[str, Any],
    logo: ProcessedLogo | None = None,
    remove_logo: bool = False,
) -> InstanceSettings:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    with transaction.atomic():
        current = InstanceSettings.objects.select_for_update().filter(pk=SINGLETON_PK).first()
        created = current is None
        if current is None:
            current = instance_defaults()
        changed = sorted(field for field, value in changes.items() if getattr(current, field) != value)
        for field in changed:
            setattr(current, field, changes[field])
        current.full_clean(exclude=["logo"])
        old_logo = current.logo.name if current.logo else ""
        if logo is not None:
            digest = hashlib.sha256(logo.content).hexdigest()[:16]
            current.logo.save(f"logo-{digest}.{logo.extension}", ContentFile(logo.content), save=False)
            current.logo_content_type = logo.content_type
            changed.append("logo")
        elif remove_logo and old_logo:
            current.logo = ""
            current.logo_content_type = ""
            changed.append("logo")
        if not changed and not created:
            return current
        current.updated_at = timezone.now()
        if created:
            current.save(force_insert=True)
        else:
            fields = [field for field in changed if field != "logo"]
            if "logo" in changed:
                fields += ["logo", "logo_content_type"]
            current.save(update_fields=[*fields, "updated_at"])
        # Which settings changed, never their values.
        audit_log("site.settings_update", actor=actor, target=current, request=request, fields=sorted(changed))
        # Forgotten now (so this transaction reads what it wrote, not another process's copy)
        # and again on commit (a process may have cached the old values in between).
        forget_cached_settings()
        transaction.on_commit(forget_cached_settings)
        if old_logo and "logo" in changed and old_logo != (current.logo.name or ""):
            transaction.on_commit(partial(default_storage.delete, old_logo))
    return current
