"""Data for the restore drill, run inside `manage.py shell` against the drill's own database:
`seed()` writes realistic rows and an uploaded document, `snapshot()` prints what must survive."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

MEMBERS = int(os.environ.get("PEERHAVEN_DRILL_MEMBERS", "25"))
# Starts like a PDF, so the upload check sniffs it as one.
DOCUMENT = b"%PDF-1.4\n% restore drill licence scan\n" + bytes(range(256)) * 64


def seed() -> None:
    from peerhaven.accounts.tests.factories import make_member
    from peerhaven.core.audit import audit_log
    from peerhaven.notifications.models import Notification
    from peerhaven.verification.documents import CheckedDocument
    from peerhaven.verification.services import licence_submit

    for index in range(MEMBERS):
        member = make_member(verified=index % 2 == 0)
        member.profile.employer = f"Riverside Counselling Practice {index}"
        member.profile.save(update_fields=["employer"])
        Notification.objects.create(user=member, kind="licence.verified", link="/account/licence/")
        audit_log("drill.seeded", actor=member, target=member, step=index)
        if index < 3:
            licence_submit(
                actor=member,
                licence_type="counsellor",
                number=f"LPC-{1000 + index}",
                jurisdiction="Oregon",
                expires_on=timezone.localdate() + dt.timedelta(days=400),
                document=CheckedDocument(content=DOCUMENT, content_type="application/pdf"),
            )


def snapshot() -> None:
    from peerhaven.accounts.models import Profile
    from peerhaven.core.models import AuditEntry
    from peerhaven.verification.documents import read_decrypted
    from peerhaven.verification.models import LicenceSubmission

    counts = {
        model._meta.db_table: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }
    counts["django_migrations"] = MigrationRecorder.Migration.objects.count()
    media_root = Path(settings.PRIVATE_MEDIA_ROOT)
    files = {
        path.relative_to(media_root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(media_root.rglob("*"))
        if path.is_file()
    }
    audit: list[Any] = [
        [row["id"], row["action"], row["actor_id"], row["target_id"], row["at"].isoformat(), row["data"]]
        for row in AuditEntry.objects.order_by("id").values()
    ]
    documents = [
        hashlib.sha256(read_decrypted(submission.document_path)).hexdigest()
        for submission in LicenceSubmission.objects.exclude(document_path="").order_by("id")
    ]
    result = {
        "counts": counts,
        "employers": sorted(Profile.objects.exclude(employer__isnull=True).values_list("employer", flat=True)),
        "licence_numbers": sorted(LicenceSubmission.objects.values_list("number", flat=True)),
        "documents": documents,
        "audit": audit,
        "files": files,
    }
    sys.stdout.write(json.dumps(result, sort_keys=True) + "\n")
