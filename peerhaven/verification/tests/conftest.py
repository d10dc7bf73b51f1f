"""Fixtures for licence verification tests: a private storage of their own, and documents."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from peerhaven.accounts.models import User
from peerhaven.verification.documents import CheckedDocument, check_upload
from peerhaven.verification.models import LicenceSubmission, LicenceType
from peerhaven.verification.services import licence_submit


@pytest.fixture(autouse=True)
def private_storage(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """Each test writes documents into its own directory (changing STORAGES resets
    default_storage through Django's setting_changed handler)."""
    root = tmp_path / "private"
    root.mkdir()
    settings.PRIVATE_MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": "/private-not-served/"},
        },
    }
    yield root


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def png_bytes(size: tuple[int, int] = (40, 30), colour: str = "teal") -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, colour).save(output, format="PNG")
    return output.getvalue()


MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def png_upload() -> Callable[..., SimpleUploadedFile]:
    def _make(name: str = "licence.png", content_type: str = "image/png") -> SimpleUploadedFile:
        return SimpleUploadedFile(name, png_bytes(), content_type=content_type)

    return _make


@pytest.fixture
def submission_factory(db: Any) -> Callable[..., LicenceSubmission]:
    """A submission sent through the real service (document optional)."""

    def _make(
        member: User, *, number: str = "PSY-778812", with_document: bool = False,
        expires_in_days: int = 365, jurisdiction: str = "Ontario",
    ) -> LicenceSubmission:
        document: CheckedDocument | None = None
        if with_document:
            document = check_upload(SimpleUploadedFile("l.png", png_bytes(), content_type="image/png"))
        return licence_submit(
            actor=member,
            licence_type=LicenceType.PSYCHOLOGIST,
            number=number,
            jurisdiction=jurisdiction,
            expires_on=timezone.localdate() + dt.timedelta(days=expires_in_days),
            document=document,
        )

    return _make


def reauthenticate(client: Any) -> Any:
    """Record a fresh re-authentication in the client's session, as allauth's
    reauthenticate view does (sign-in alone does not count as one)."""
    import time

    session = client.session
    records = list(session.get("account_authentication_methods", []))
    records.append({"method": "password", "at": time.time(), "reauthenticated": True})
    session["account_authentication_methods"] = records
    session.save()
    return client
