"""Permission-grid expectations for licence verification's routes."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from peerhaven.core.tests.grid_rules import REDIRECT, Route, member, role
from peerhaven.verification.documents import check_upload
from peerhaven.verification.models import LicenceSubmission, SubmissionStatus


def _tiny_png() -> bytes:
    """A 1×1 PNG: enough for the content check, small enough to write on every grid run."""
    output = io.BytesIO()
    Image.new("RGB", (1, 1), "white").save(output, format="PNG")
    return output.getvalue()


def _submission(owner: Any, *, document: bool = False) -> LicenceSubmission:
    from peerhaven.verification.services import licence_submit

    return licence_submit(
        actor=owner,
        licence_type="psychologist",
        number="GRID-0001",
        jurisdiction="Ontario",
        expires_on=timezone.localdate() + dt.timedelta(days=365),
        document=check_upload(SimpleUploadedFile("g.png", _tiny_png())) if document else None,
    )


def _submission_kwargs(owner: Any) -> dict[str, Any]:
    return {"pk": _submission(owner).pk}


def _document_kwargs(owner: Any) -> dict[str, Any]:
    return {"pk": _submission(owner, document=True).pk}


def _needs_info_kwargs(owner: Any) -> dict[str, Any]:
    submission = _submission(owner)
    LicenceSubmission.objects.filter(pk=submission.pk).update(
        status=SubmissionStatus.NEEDS_INFO, reason="Please send the back page."
    )
    return {"pk": submission.pk}


ROUTES = [
    Route("verification:my_licence", member(200)),
    # The owner's answer is accepted and redirected; everyone else: 404.
    Route(
        "verification:reply", member(404), make_kwargs=_needs_info_kwargs, owner_status=REDIRECT,
        method="post", data={"reply-reply": "Here it is."},
    ),
    # Owner and verifiers pass the policy and are then sent to re-authenticate (a sign-in alone
    # is not a re-authentication); everyone else: 404. The download itself: test_document_view.
    Route(
        "verification:document", {**member(404), "verifier": REDIRECT},
        make_kwargs=_document_kwargs, owner_status=REDIRECT,
    ),
    Route("verification:queue", role("verifier")),
    Route("verification:review", role("verifier"), make_kwargs=_submission_kwargs, owner_status=404),
]
