"""Stored licence documents survive a key rotation and the removal of the old key."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from peerhaven.verification.documents import read_decrypted
from peerhaven.verification.tests.conftest import png_bytes, stored_files

pytestmark = pytest.mark.django_db


def test_it_rotates_stored_documents_so_the_old_key_can_go(settings, member_factory, submission_factory, private_storage):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    submission = submission_factory(member_factory(), with_document=True)
    before = stored_files(private_storage)[0].read_bytes()

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_field_keys")
    after = stored_files(private_storage)[0].read_bytes()
    assert after != before

    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    # The image was re-encoded on upload, so compare with what the member can download now.
    content = read_decrypted(submission.document_path)
    assert content.startswith(b"\x89PNG")
    assert len(content) > 0 and png_bytes()[:8] == content[:8]
