"""Demo licences for `manage.py seed_demo`: verified members and a few waiting in the queue."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from peerhaven.accounts.models import User
from peerhaven.verification.documents import check_upload
from peerhaven.verification.models import LicenceSubmission, LicenceType
from peerhaven.verification.services import licence_approve, licence_submit

_DEMO_JURISDICTIONS = ("Ontario", "California", "New South Wales", "Scotland", "Bavaria")
_DEMO_TYPES = (
    LicenceType.PSYCHOLOGIST, LicenceType.COUNSELLOR, LicenceType.SOCIAL_WORKER, LicenceType.MFT,
)


def _demo_document(member: User) -> SimpleUploadedFile:
    image = Image.new("RGB", (600, 380), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 589, 369), outline="navy", width=4)
    draw.text((40, 60), "DEMO LICENCE - NOT A REAL DOCUMENT", fill="navy")
    draw.text((40, 120), f"Demo member {member.pk}", fill="black")
    output = io.BytesIO()
    image.save(output, format="PNG")
    return SimpleUploadedFile("demo-licence.png", output.getvalue(), content_type="image/png")


def seed_demo_licences(
    members: Sequence[User], verifiers: Sequence[User], *, pending: int = 2
) -> dict[str, int]:
    """Give each member without a submission a licence: the last `pending` members wait in
    the queue (with a demo document), the others are approved by a verifier who is not
    themselves. Members who already have a submission are left alone, so running it again
    changes nothing."""
    created = {"verified": 0, "pending": 0}
    already = set(
        LicenceSubmission.objects.filter(member__in=members).values_list("member_id", flat=True)
    )
    pending_from = max(len(members) - pending, 0)
    for index, member in enumerate(members):
        if member.pk in already:
            continue
        approver = next((verifier for verifier in verifiers if verifier.pk != member.pk), None)
        wants_pending = index >= pending_from or approver is None
        submission = licence_submit(
            actor=member,
            licence_type=_DEMO_TYPES[index % len(_DEMO_TYPES)],
            number=f"DEMO-{member.pk:05d}",
            jurisdiction=_DEMO_JURISDICTIONS[index % len(_DEMO_JURISDICTIONS)],
            expires_on=timezone.localdate() + dt.timedelta(days=400 + 30 * (index % 12)),
            document=check_upload(_demo_document(member)) if wants_pending else None,
        )
        if wants_pending or approver is None:
            created["pending"] += 1
            continue
        licence_approve(actor=approver, submission=submission)
        created["verified"] += 1
    return created
