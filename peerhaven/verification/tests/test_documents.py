"""Uploads are judged by their content, capped in size, and images lose their metadata."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from peerhaven.verification.documents import check_upload, read_decrypted
from peerhaven.verification.models import LicenceSubmission
from peerhaven.verification.tests.conftest import MINIMAL_PDF, png_bytes, stored_files

pytestmark = pytest.mark.django_db


def _form_data():
    return {
        "licence_type": "counsellor",
        "number": "LPC-4411",
        "jurisdiction": "Texas",
        "expires_on": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
    }


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (64, 48), "orange")
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"  # Make
    exif[0x0110] = "SecretModel"  # Model
    exif[0x013B] = "Dr Jane Example"  # Artist
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif.tobytes(), comment=b"hidden comment")
    return output.getvalue()


def test_it_accepts_a_png_named_pdf_as_a_png(member_factory, client_for):
    member = member_factory()
    upload = SimpleUploadedFile("licence.pdf", png_bytes(), content_type="application/pdf")
    response = client_for(member).post(reverse("verification:my_licence"), {**_form_data(), "document": upload})
    assert response.status_code == 302
    submission = LicenceSubmission.objects.get(member=member)
    assert submission.document_content_type == "image/png"
    assert submission.document_filename.endswith(".png")


def test_it_rejects_html_named_pdf(member_factory, client_for, private_storage):
    member = member_factory()
    upload = SimpleUploadedFile(
        "licence.pdf", b"<!doctype html><html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    response = client_for(member).post(reverse("verification:my_licence"), {**_form_data(), "document": upload})
    assert response.status_code == 400
    assert "PDF, JPEG or PNG" in response.content.decode()
    assert not LicenceSubmission.objects.exists()
    assert stored_files(private_storage) == []


def test_it_accepts_a_pdf(member_factory, client_for):
    member = member_factory()
    upload = SimpleUploadedFile("scan.bin", MINIMAL_PDF, content_type="application/octet-stream")
    response = client_for(member).post(reverse("verification:my_licence"), {**_form_data(), "document": upload})
    assert response.status_code == 302
    submission = LicenceSubmission.objects.get(member=member)
    assert submission.document_content_type == "application/pdf"
    assert read_decrypted(submission.document_path) == MINIMAL_PDF


def test_it_rejects_a_file_one_byte_over_the_limit_and_stores_nothing(
    member_factory, client_for, private_storage, settings
):
    member = member_factory()
    too_big = MINIMAL_PDF + b"0" * (settings.MAX_DOCUMENT_BYTES + 1 - len(MINIMAL_PDF))
    assert len(too_big) == 10 * 1024 * 1024 + 1
    upload = SimpleUploadedFile("big.pdf", too_big, content_type="application/pdf")
    response = client_for(member).post(reverse("verification:my_licence"), {**_form_data(), "document": upload})
    assert response.status_code == 400
    assert "larger than 10.0" in response.content.decode()
    assert not LicenceSubmission.objects.exists()
    assert stored_files(private_storage) == []


def test_it_accepts_a_file_exactly_at_the_limit(settings):
    settings.MAX_DOCUMENT_BYTES = 2048
    content = MINIMAL_PDF + b"0" * (2048 - len(MINIMAL_PDF))
    checked = check_upload(SimpleUploadedFile("ok.pdf", content))
    assert checked.size == 2048


def test_it_strips_exif_and_comments_from_jpegs():
    original = _jpeg_with_exif()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get(0x010F) == "SecretCameraMaker"  # the test image really has EXIF
    checked = check_upload(SimpleUploadedFile("photo.jpg", original, content_type="image/jpeg"))
    assert checked.content_type == "image/jpeg"
    assert b"SecretCameraMaker" not in checked.content
    assert b"Dr Jane Example" not in checked.content
    assert b"hidden comment" not in checked.content
    assert b"Exif" not in checked.content
    with Image.open(io.BytesIO(checked.content)) as after:
        assert len(after.getexif()) == 0
        assert after.size == (64, 48)


def test_it_strips_text_chunks_from_pngs():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Dr Jane Example")
    output = io.BytesIO()
    Image.new("RGBA", (20, 20), "red").save(output, format="PNG", pnginfo=info)
    checked = check_upload(SimpleUploadedFile("a.png", output.getvalue()))
    assert b"Dr Jane Example" not in checked.content
    with Image.open(io.BytesIO(checked.content)) as after:
        assert after.mode == "RGBA" and not after.text


def test_it_rejects_a_truncated_image():
    broken = png_bytes()[:60]
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("a.png", broken))
    assert error.value.code == "unreadable"


def test_it_rejects_an_empty_file():
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile("a.pdf", b""))
