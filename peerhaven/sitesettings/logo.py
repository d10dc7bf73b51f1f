"""The organisation's logo: checked by content (never by name or declared type), decoded and
re-encoded by Pillow so that only plain pixels are kept (no metadata, no trailing payload)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_LOGO_BYTES = 1024 * 1024
# Larger inputs are refused before decoding (a small file can decode to a huge bitmap).
MAX_INPUT_PIXELS = 4096 * 4096
# The header shows the logo about 40 px high; this leaves room for sharp high-density screens.
MAX_OUTPUT_SIDE = 512
_FORMATS = {"image/png": ("PNG", "png"), "image/jpeg": ("JPEG", "jpg")}


@dataclass(frozen=True)
class ProcessedLogo:
    content: bytes
    content_type: str
    extension: str


def logo_process(upload: UploadedFile) -> ProcessedLogo:
    if upload.size is None or upload.size > MAX_LOGO_BYTES:
        raise ValidationError(_("The logo must be at most 1 MB."), code="size")
    upload.seek(0)
    data = upload.read(MAX_LOGO_BYTES + 1)
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError(_("The logo must be at most 1 MB."), code="size")
    kind = filetype.guess(data)
    if kind is None or kind.mime not in _FORMATS:
        raise ValidationError(_("The logo must be a PNG or JPEG image."), code="type")
    pillow_format, extension = _FORMATS[kind.mime]
    try:
        with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
            if image.width * image.height > MAX_INPUT_PIXELS:
                raise ValidationError(_("The logo is too large: at most 4096 × 4096 pixels."), code="pixels")
            image.load()
            pixels: Image.Image = image
            pixels.thumbnail((MAX_OUTPUT_SIDE, MAX_OUTPUT_SIDE))
            if pillow_format == "JPEG":
                pixels = pixels.convert("RGB")
            elif pixels.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                pixels = pixels.convert("RGBA")
            output = io.BytesIO()
            pixels.save(output, format=pillow_format, **({"quality": 90} if pillow_format == "JPEG" else {"optimize": True}))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("The logo could not be read as an image."), code="unreadable") from exc
    return ProcessedLogo(content=output.getvalue(), content_type=kind.mime, extension=extension)
