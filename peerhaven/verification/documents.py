"""Licence documents: checking an upload by its content, stripping image metadata, and keeping
the bytes encrypted in private storage (never in static files)."""

from __future__ import annotations

import io
import os
import uuid
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from peerhaven.core.crypto import decrypt_bytes, encrypt_bytes
from peerhaven.verification.models import DocumentType

STORAGE_DIR = "licences"
_PIL_FORMATS = {DocumentType.JPEG: "JPEG", DocumentType.PNG: "PNG"}


@dataclass(frozen=True)
class CheckedDocument:
    """An upload that passed the checks: its (cleaned) bytes and its sniffed type."""

    content: bytes
    content_type: str

    @property
    def size(self) -> int:
        return len(self.content)


def check_upload(upload: UploadedFile) -> CheckedDocument:
    """Accept a PDF, JPEG or PNG judged by its bytes (never by its name or declared type),
    at most MAX_DOCUMENT_BYTES; images are re-encoded so no metadata (EXIF, GPS, comments)
    survives."""
    limit = int(settings.MAX_DOCUMENT_BYTES)
    too_big = ValidationError(
        _("This file is larger than %(limit)s. Please upload a smaller scan or photo."),
        code="too_large",
        params={"limit": filesizeformat(limit)},
    )
    if upload.size is not None and upload.size > limit:
        raise too_big
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise too_big
    if not content:
        raise ValidationError(_("This file is empty."), code="empty")
    kind = filetype.guess(content)
    mime = kind.mime if kind is not None else ""
    if mime not in DocumentType.values:
        raise ValidationError(
            _("Please upload a PDF, JPEG or PNG file. This file is not one of those."),
            code="file_type",
        )
    if mime == DocumentType.PDF:
        return CheckedDocument(content=content, content_type=mime)
    return CheckedDocument(content=_reencode_image(content, mime), content_type=mime)


def _reencode_image(content: bytes, mime: str) -> bytes:
    """Decode and write the pixels afresh: only the image itself is kept, no metadata block."""
    try:
        with Image.open(io.BytesIO(content)) as source:
            source.load()
            # Honour the camera's orientation before the EXIF block that records it is dropped.
            oriented = ImageOps.exif_transpose(source)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("This image could not be read. Please upload another scan or photo."), code="unreadable"
        ) from exc
    pil_format = _PIL_FORMATS[DocumentType(mime)]
    if pil_format == "JPEG":
        wanted_mode = oriented.mode if oriented.mode in {"L", "RGB", "CMYK"} else "RGB"
    else:
        wanted_mode = oriented.mode if oriented.mode in {"1", "L", "LA", "RGB", "RGBA", "I", "I;16"} else "RGBA"
    pixels = oriented.convert(wanted_mode) if oriented.mode != wanted_mode else oriented
    # A new image built from raw pixels carries an empty `info`: nothing of the original's
    # EXIF, XMP, ICC, text chunks or comments can be written back out.
    clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    output = io.BytesIO()
    if pil_format == "JPEG":
        clean.save(output, format="JPEG", quality=90, optimize=True)
    else:
        clean.save(output, format="PNG", optimize=True)
    return output.getvalue()


def store_encrypted(document: CheckedDocument) -> str:
    """Encrypt and write the document under a random name; returns its storage path."""
    name = f"{STORAGE_DIR}/{uuid.uuid4().hex}.bin"
    return str(default_storage.save(name, ContentFile(encrypt_bytes(document.content))))


def read_decrypted(path: str) -> bytes:
    with default_storage.open(path, "rb") as handle:
        return decrypt_bytes(handle.read())


def delete_stored(path: str) -> None:
    if path and default_storage.exists(path):
        default_storage.delete(path)


def rotate_stored_documents() -> int:
    """Re-encrypt every stored licence document under the newest field key (called by
    `manage.py rotate_field_keys`). Each file is rewritten whole before the next is read; a
    failure leaves the file as it was, readable with the keys still configured."""
    from peerhaven.core.crypto import rotate_bytes
    from peerhaven.verification.models import LicenceSubmission

    rotated = 0
    paths = LicenceSubmission.objects.exclude(document_path="").values_list("document_path", flat=True)
    for path in paths.iterator():
        if not default_storage.exists(path):
            continue
        with default_storage.open(path, "rb") as handle:
            token = handle.read()
        fresh = rotate_bytes(token)
        try:
            location = default_storage.path(path)
        except NotImplementedError:
            # Remote storage: no atomic rename; replace the object under the same name.
            default_storage.delete(path)
            saved = default_storage.save(path, ContentFile(fresh))
            if saved != path:
                raise RuntimeError("Storage renamed a rotated document; rotation stopped.") from None
        else:
            # Storage.save never overwrites: write beside the old file and swap atomically.
            temporary = f"{location}.rotating"
            with open(temporary, "wb") as handle:
                handle.write(fresh)
            os.replace(temporary, location)
        rotated += 1
    return rotated
