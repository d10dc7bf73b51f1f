"""Instance settings: contrast rules, the staff page, the logo, and what the settings change."""

from __future__ import annotations

import io
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image, PngImagePlugin

from conftest import sign_in
from peerhaven.accounts.models import Profile, User
from peerhaven.accounts.services import profile_ensure
from peerhaven.accounts.tests.factories import make_member
from peerhaven.core.models import AuditEntry
from peerhaven.core.programmes import PROGRAMMES, PROGRAMMES_BY_SLUG
from peerhaven.notifications.emails import org_name as email_org_name
from peerhaven.sitesettings import selectors
from peerhaven.sitesettings.colours import contrast_ratio, validate_accessible_colour
from peerhaven.sitesettings.middleware import DefaultTimeZoneMiddleware
from peerhaven.sitesettings.models import InstanceSettings
from peerhaven.sitesettings.selectors import instance_settings
from peerhaven.sitesettings.services import instance_settings_update

ALL_SLUGS = [programme.slug for programme in PROGRAMMES]


@pytest.fixture(autouse=True)
def _media(tmp_path: Path, settings: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path), "base_url": "/private-not-served/"}},
    }


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "organisation_name": "Harbour Clinicians Alliance",
        "primary_colour": "#1f5f8b",
        "accent_colour": "#2f6b4f",
        "contact_email": "staff@harbour.example",
        "default_time_zone": "Europe/Madrid",
        "default_language": "en",
        "enabled_programmes": ALL_SLUGS,
    }
    data.update(overrides)
    return data


def _png(size: tuple[int, int] = (64, 32), **text: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    for key, value in text.items():
        info.add_text(key, value)
    output = io.BytesIO()
    Image.new("RGBA", size, (31, 95, 139, 255)).save(output, format="PNG", pnginfo=info)
    return output.getvalue()


def _staff_client() -> tuple[User, Client]:
    staff = make_member(verified=True, roles=("staff",))
    return staff, sign_in(Client(), staff, passkey=True)


def _switch_on(*slugs: str) -> None:
    instance_settings_update(actor=None, changes={"enabled_programmes": list(slugs)})


# --- contrast ----------------------------------------------------------------------------------
def test_it_computes_the_wcag_contrast_ratio() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_it_rejects_colours_that_miss_aa_contrast() -> None:
    for colour in ("#ffff00", "#777777", "#8fbc8f"):
        with pytest.raises(ValidationError):
            validate_accessible_colour(colour)
    for colour in ("#1f5f8b", "#2f6b4f", "#000000"):
        validate_accessible_colour(colour)
    for malformed in ("1f5f8b", "#1f5f8", "#1f5f8bz", "red", "#1f5f8b;}body{"):
        with pytest.raises(ValidationError):
            validate_accessible_colour(malformed)


# --- the staff page ----------------------------------------------------------------------------
@pytest.mark.django_db
def test_it_saves_the_settings_and_audits_only_the_changed_field_names() -> None:
    staff, client = _staff_client()
    response = client.post(reverse("sitesettings:edit"), _form())
    assert response.status_code == 302
    saved = InstanceSettings.objects.get()
    assert saved.organisation_name == "Harbour Clinicians Alliance"
    entry = AuditEntry.objects.get(action="site.settings_update")
    assert entry.actor_id == staff.pk
    assert entry.data == {"fields": ["contact_email", "default_time_zone", "organisation_name"]}
    assert "Harbour" not in str(entry.data)

    page = client.get(reverse("core:services")).content.decode()
    assert "Harbour Clinicians Alliance" in page
    client.post(reverse("sitesettings:edit"), _form(primary_colour="#000000"))
    assert AuditEntry.objects.filter(action="site.settings_update").latest("id").data == {"fields": ["primary_colour"]}


@pytest.mark.django_db
def test_it_refuses_a_colour_below_contrast_on_the_staff_page() -> None:
    _staff, client = _staff_client()
    response = client.post(reverse("sitesettings:edit"), _form(accent_colour="#ffff00"))
    assert response.status_code == 400
    assert "4.5:1" in response.content.decode()
    assert not InstanceSettings.objects.exists()


@pytest.mark.django_db
def test_it_serves_the_colours_as_css_custom_properties() -> None:
    instance_settings_update(actor=None, changes={"primary_colour": "#123456", "accent_colour": "#5a2d82"})
    response = Client().get(reverse("sitesettings:css"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert "max-age" in response["Cache-Control"]
    body = response.content.decode()
    assert "--accent: #123456;" in body and "--brand: #5a2d82;" in body
    page = Client().get(reverse("core:services")).content.decode()
    assert f'href="{reverse("sitesettings:css")}?v=' in page


# --- the logo ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_it_refuses_an_html_file_named_png() -> None:
    _staff, client = _staff_client()
    fake = SimpleUploadedFile("logo.png", b"<!doctype html><script>alert(1)</script>", content_type="image/png")
    response = client.post(reverse("sitesettings:edit"), {**_form(), "logo": fake})
    assert response.status_code == 400
    assert "PNG or JPEG" in response.content.decode()
    assert not InstanceSettings.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_logo_over_one_megabyte() -> None:
    _staff, client = _staff_client()
    big = SimpleUploadedFile("logo.png", _png() + b"\0" * (1024 * 1024), content_type="image/png")
    response = client.post(reverse("sitesettings:edit"), {**_form(), "logo": big})
    assert response.status_code == 400
    assert "1 MB" in response.content.decode()


@pytest.mark.django_db
def test_it_serves_the_logo_re_encoded_without_metadata() -> None:
    _staff, client = _staff_client()
    upload = SimpleUploadedFile("whatever.bin", _png(Comment="home address of somebody"), content_type="text/plain")
    assert client.post(reverse("sitesettings:edit"), {**_form(), "logo": upload}).status_code == 302
    response = Client().get(reverse("sitesettings:logo"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    body = response.content
    assert body.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"home address" not in body
    assert Image.open(io.BytesIO(body)).size == (64, 32)
    assert AuditEntry.objects.get(action="site.settings_update").data["fields"] == [
        "contact_email", "default_time_zone", "logo", "organisation_name",
    ]
    page = Client().get(reverse("core:services")).content.decode()
    assert f'<img src="{reverse("sitesettings:logo")}?v=' in page and 'class="brand-logo"' in page

    # Removing it: the page loses the image and the address answers 404.
    assert client.post(reverse("sitesettings:edit"), {**_form(), "remove_logo": "on"}).status_code == 302
    assert Client().get(reverse("sitesettings:logo")).status_code == 404


# --- programmes --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_it_leaves_a_switched_off_programme_out_everywhere() -> None:
    _switch_on(*[slug for slug in ALL_SLUGS if slug != "retreats"])
    retreats = str(PROGRAMMES_BY_SLUG["retreats"].title)
    assert retreats not in Client().get(reverse("core:services")).content.decode()
    member_client = sign_in(Client(), make_member(verified=True))
    home = member_client.get(reverse("core:home")).content.decode()
    assert retreats not in home and str(PROGRAMMES_BY_SLUG["t4t"].title) in home
    assert member_client.get(reverse("core:programme", args=["retreats"])).status_code == 404
    assert member_client.get(reverse("core:programme", args=["t4t"])).status_code == 200


@pytest.mark.django_db
def test_it_keeps_the_services_page_query_count_constant() -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(reverse("core:services")).status_code == 200
        return len(queries)

    counts = [count()]
    _switch_on("t4t")
    counts.append(count())
    _switch_on(*ALL_SLUGS)
    instance_settings_update(actor=None, changes={"organisation_name": "Another name"})
    counts.append(count())
    assert counts[0] == counts[1] == counts[2], counts


# --- defaults: language, time zone, e-mail name ------------------------------------------------
@pytest.mark.django_db
def test_it_speaks_the_default_language_to_visitors_without_a_preference() -> None:
    instance_settings_update(actor=None, changes={"default_language": "es"})
    no_preference = Client().get(reverse("core:services"))
    assert no_preference["Content-Language"] == "es"
    assert '<html lang="es">' in no_preference.content.decode()
    unsupported = Client(HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").get(reverse("core:services"))
    assert unsupported["Content-Language"] == "es"
    # The browser's stated language still wins over the organisation's default.
    english = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8").get(reverse("core:services"))
    assert english["Content-Language"] == "en"


@pytest.mark.django_db
def test_it_shows_visitors_times_in_the_default_time_zone() -> None:
    instance_settings_update(actor=None, changes={"default_time_zone": "America/Mexico_City"})

    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(timezone.get_current_timezone_name())

    request = RequestFactory().get("/")
    request.session = {}  # type: ignore[assignment]
    assert DefaultTimeZoneMiddleware(view)(request).content == b"America/Mexico_City"
    request.session = {"peerhaven_tz": "Asia/Tokyo"}  # type: ignore[assignment]
    timezone.activate(zoneinfo.ZoneInfo("Asia/Tokyo"))  # as UserTimezoneMiddleware does
    try:
        assert DefaultTimeZoneMiddleware(view)(request).content == b"Asia/Tokyo"
    finally:
        timezone.deactivate()


@pytest.mark.django_db
def test_it_gives_new_members_the_default_time_zone() -> None:
    instance_settings_update(actor=None, changes={"default_time_zone": "Europe/Madrid"})
    newcomer = User.objects.create_user("newcomer@example.org", "a long enough password")
    assert not Profile.objects.filter(user=newcomer).exists()
    assert profile_ensure(user=newcomer).time_zone == "Europe/Madrid"


@pytest.mark.django_db
def test_it_names_the_organisation_in_emails() -> None:
    instance_settings_update(actor=None, changes={"organisation_name": "Harbour Clinicians Alliance"})
    assert email_org_name() == "Harbour Clinicians Alliance"


# --- cache -------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_it_caches_the_settings_and_forgets_them_on_save(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    class OutsideTransaction:
        in_atomic_block = False

    selectors.forget_cached_settings()
    monkeypatch.setattr(selectors, "connection", OutsideTransaction())
    try:
        with CaptureQueriesContext(connection) as first:
            assert instance_settings().organisation_name
        with CaptureQueriesContext(connection) as second:
            instance_settings()
        assert (len(first), len(second)) == (1, 0)
        with django_capture_on_commit_callbacks(execute=True):
            instance_settings_update(actor=None, changes={"organisation_name": "Renamed"})
        assert instance_settings().organisation_name == "Renamed"
    finally:
        selectors.forget_cached_settings()


@pytest.mark.django_db
def test_it_never_caches_inside_a_transaction() -> None:
    selectors.forget_cached_settings()
    instance_settings_update(actor=None, changes={"organisation_name": "Not yet committed"})
    assert instance_settings().organisation_name == "Not yet committed"
    assert selectors.cache.get(selectors.CACHE_KEY) is None
