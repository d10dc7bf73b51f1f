"""Encryption at rest: raw columns hold Fernet tokens, tampering fails cleanly, keys rotate."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection, models
from django.test import override_settings

from peerhaven.accounts.models import Profile
from peerhaven.accounts.tests.factories import make_member
from peerhaven.core.crypto import decrypt_text, encrypt_text
from peerhaven.core.fields import EncryptedTextField, encrypted_fields
from peerhaven.core.models import ContactMessage

pytestmark = pytest.mark.django_db

EMPLOYER = "Canary Hill Psychiatric Hospital"
MESSAGE = "canary-contact-message: my supervisor is harassing me"


def _raw(model: type[models.Model], field_name: str, pk: int) -> str:
    quote = connection.ops.quote_name
    column = model._meta.get_field(field_name).column  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} = %s",
            [pk],
        )
        row = cursor.fetchone()
    assert row is not None
    return str(row[0])


def _set_employer(profile: Profile, value: str) -> None:
    profile.employer = value
    profile.save(update_fields=["employer"])


def test_it_stores_the_employer_as_a_fernet_token() -> None:
    profile = make_member().profile
    _set_employer(profile, EMPLOYER)

    raw = _raw(Profile, "employer", profile.pk)

    assert EMPLOYER not in raw
    assert "Canary" not in raw
    assert raw.startswith("gAAAA")  # Fernet version byte 0x80, base64url
    assert decrypt_text(raw) == EMPLOYER
    profile.refresh_from_db()
    assert profile.employer == EMPLOYER


def test_it_encrypts_the_same_text_differently_each_time() -> None:
    assert encrypt_text(EMPLOYER) != encrypt_text(EMPLOYER)


def test_it_rejects_a_tampered_token_without_quoting_it() -> None:
    profile = make_member().profile
    _set_employer(profile, EMPLOYER)
    raw = _raw(Profile, "employer", profile.pk)
    # Flip one character in the middle of the ciphertext: the HMAC must catch it.
    middle = len(raw) // 2
    tampered = raw[:middle] + ("A" if raw[middle] != "A" else "B") + raw[middle + 1 :]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_profile SET employer = %s WHERE id = %s", [tampered, profile.pk])

    with pytest.raises(ValueError) as caught:
        Profile.objects.get(pk=profile.pk)

    message = str(caught.value)
    assert "could not be decrypted" in message
    assert tampered not in message
    assert EMPLOYER not in message
    assert isinstance(caught.value.__cause__, InvalidToken)


def test_it_refuses_content_lookups_on_encrypted_fields() -> None:
    # A lookup on ciphertext would silently match nothing; the field refuses it instead.
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(Profile.objects.filter(employer=EMPLOYER))
    assert Profile.objects.filter(employer__isnull=False).count() >= 0


def test_it_finds_every_encrypted_field() -> None:
    found = {(model._meta.label, name) for model, name in encrypted_fields()}
    assert ("accounts.Profile", "employer") in found
    assert ("core.ContactMessage", "message") in found
    for model, name in encrypted_fields():
        assert isinstance(model._meta.get_field(name), EncryptedTextField)


def test_it_rotates_every_row_so_the_old_key_can_be_removed() -> None:
    key_a = Fernet.generate_key().decode()
    key_b = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[key_a]):
        profiles = []
        for index in range(7):
            profile = make_member().profile
            _set_employer(profile, f"{EMPLOYER} {index}")
            profiles.append(profile)
        blank = make_member().profile  # empty values stay empty, not encrypted
        _set_employer(blank, "")
        contact = ContactMessage.objects.create(email="a@example.org", subject="Hello", message=MESSAGE)

    with override_settings(FIELD_ENCRYPTION_KEYS=[key_b, key_a]):
        out = StringIO()
        call_command("rotate_field_keys", "--batch-size", "3", stdout=out)

    report = out.getvalue()
    assert "accounts.Profile.employer: 7 rotated" in report
    assert "core.ContactMessage.message: 1 rotated" in report
    # Counts only: no value or token is ever printed.
    assert EMPLOYER not in report
    assert "gAAAA" not in report

    only_b = Fernet(key_b.encode())
    with override_settings(FIELD_ENCRYPTION_KEYS=[key_b]):
        for index, profile in enumerate(profiles):
            raw = _raw(Profile, "employer", profile.pk)
            assert EMPLOYER not in raw
            assert only_b.decrypt(raw.encode()).decode() == f"{EMPLOYER} {index}"
            profile.refresh_from_db()
            assert profile.employer == f"{EMPLOYER} {index}"
        blank.refresh_from_db()
        assert blank.employer == ""
        assert _raw(ContactMessage, "message", contact.pk) != MESSAGE
        assert ContactMessage.objects.get(pk=contact.pk).message == MESSAGE


def test_it_cannot_read_old_rows_with_only_the_new_key_before_rotating() -> None:
    # The counterpart of the rotation test: without the command, dropping the old key loses data.
    key_a = Fernet.generate_key().decode()
    key_b = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[key_a]):
        profile = make_member().profile
        _set_employer(profile, EMPLOYER)
    with override_settings(FIELD_ENCRYPTION_KEYS=[key_b]), pytest.raises(ValueError):
        Profile.objects.get(pk=profile.pk)


def test_it_rotates_licence_files_through_the_verification_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    from peerhaven.core.management.commands.rotate_field_keys import FILE_ROTATION_HOOK
    from peerhaven.verification import documents

    calls: list[str] = []

    def rotate_stored_documents() -> int:
        calls.append("rotated")
        return 3

    monkeypatch.setattr(documents, FILE_ROTATION_HOOK, rotate_stored_documents, raising=False)
    out, err = StringIO(), StringIO()
    call_command("rotate_field_keys", stdout=out, stderr=err)

    assert calls == ["rotated"]
    assert "encrypted files: 3 rotated" in out.getvalue()
    assert err.getvalue() == ""


def test_it_warns_to_keep_the_old_key_while_files_cannot_be_rotated(monkeypatch: pytest.MonkeyPatch) -> None:
    from peerhaven.core.management.commands.rotate_field_keys import FILE_ROTATION_HOOK
    from peerhaven.verification import documents

    monkeypatch.delattr(documents, FILE_ROTATION_HOOK, raising=False)
    err = StringIO()
    call_command("rotate_field_keys", stdout=StringIO(), stderr=err)

    assert "encrypted files NOT rotated" in err.getvalue()
    assert "keep the old key" in err.getvalue()
