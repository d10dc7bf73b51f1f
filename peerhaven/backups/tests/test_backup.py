"""Backup archives: the encryption stream, what an archive holds (and never holds), and the
restore command's refusals, which must leave the database and uploads untouched."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from peerhaven.accounts.tests.factories import make_member
from peerhaven.backups.archive import MANIFEST_NAME
from peerhaven.backups.encryption import (
    BACKUP_KEY_ENV,
    CHUNK_SIZE,
    HEADER_BYTES,
    ArchiveError,
    DecryptingReader,
    EncryptingWriter,
    backup_keys,
)
from peerhaven.core.audit import audit_log
from peerhaven.core.models import AuditEntry

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


def _encrypt(plaintext: bytes, *, key: bytes = KEY) -> bytes:
    sink = io.BytesIO()
    writer = EncryptingWriter(sink, key=key)
    # Uneven writes, as tarfile makes them.
    for start in range(0, len(plaintext), 70_001):
        writer.write(plaintext[start : start + 70_001])
    writer.close()
    return sink.getvalue()


def _decrypt(archive: bytes, *, keys: list[bytes] | None = None) -> bytes:
    reader = DecryptingReader(io.BytesIO(archive), keys=keys or [KEY])
    return reader.read()


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, 3 * CHUNK_SIZE + 5])
def test_it_round_trips_any_size_through_the_stream(size: int) -> None:
    plaintext = hashlib.sha256(str(size).encode()).digest() * (size // 32 + 1)
    plaintext = plaintext[:size]

    archive = _encrypt(plaintext)

    if size >= 32:  # a shorter plaintext may turn up in random ciphertext by chance
        assert plaintext[:32] not in archive
    assert _decrypt(archive) == plaintext


def test_it_gives_every_archive_its_own_key_and_nonces() -> None:
    assert _encrypt(b"same plaintext") != _encrypt(b"same plaintext")


def test_it_refuses_a_flipped_byte() -> None:
    archive = bytearray(_encrypt(b"x" * (CHUNK_SIZE + 10)))
    archive[HEADER_BYTES + 100] ^= 0x01

    with pytest.raises(ArchiveError, match="tampered"):
        _decrypt(bytes(archive))


def test_it_refuses_a_truncated_archive_even_at_a_record_boundary() -> None:
    archive = _encrypt(b"y" * (2 * CHUNK_SIZE + 10))
    record = CHUNK_SIZE + 16

    with pytest.raises(ArchiveError):
        _decrypt(archive[: HEADER_BYTES + record])
    with pytest.raises(ArchiveError):
        _decrypt(archive[:-1])


def test_it_refuses_data_appended_after_the_final_record() -> None:
    with pytest.raises(ArchiveError):
        _decrypt(_encrypt(b"z" * 10) + b"extra")


def test_it_names_a_wrong_key_as_such() -> None:
    with pytest.raises(ArchiveError, match="backup key that is not in"):
        _decrypt(_encrypt(b"secret"), keys=[OTHER_KEY])
    assert _decrypt(_encrypt(b"secret"), keys=[OTHER_KEY, KEY]) == b"secret"


def test_it_refuses_a_file_that_is_not_an_archive() -> None:
    with pytest.raises(ArchiveError, match="not a Peerhaven backup"):
        _decrypt(b"PK\x03\x04 a zip file")


def test_it_reads_the_backup_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv(BACKUP_KEY_ENV, f"{new},{old}")

    keys = backup_keys()

    assert len(keys) == 2 and all(len(key) == 32 for key in keys)


def test_it_requires_a_backup_key_outside_development(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.delenv(BACKUP_KEY_ENV, raising=False)
    with override_settings(DEVELOPMENT=False), pytest.raises(ImproperlyConfigured, match=BACKUP_KEY_ENV):
        backup_keys()
    monkeypatch.setenv(BACKUP_KEY_ENV, "not-a-key")
    with pytest.raises(ImproperlyConfigured):
        backup_keys()


@pytest.fixture
def media_root(tmp_path: Path) -> Path:
    root = tmp_path / "private"
    (root / "licences").mkdir(parents=True)
    (root / "licences" / "doc.bin").write_bytes(b"already-encrypted document bytes")
    return root


@pytest.fixture
def backup_key(monkeypatch: pytest.MonkeyPatch) -> str:
    key = Fernet.generate_key().decode()
    monkeypatch.setenv(BACKUP_KEY_ENV, key)
    return key


def _unpack_plain_tar(archive: Path) -> dict[str, bytes]:
    with archive.open("rb") as handle:
        plaintext = DecryptingReader(handle, keys=backup_keys()).read()
    with tarfile.open(fileobj=io.BytesIO(plaintext)) as tar:
        return {member.name: tar.extractfile(member).read() for member in tar if member.isfile()}  # type: ignore[union-attr]


# Transactional: SQLite's backup reads committed pages only, like pg_dump.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_archives_database_uploads_and_a_manifest_without_any_key(
    tmp_path: Path, media_root: Path, backup_key: str
) -> None:
    make_member()
    audit_log("backup.test")
    output = tmp_path / "out" / "nightly.phbackup"
    stdout = io.StringIO()

    with override_settings(PRIVATE_MEDIA_ROOT=media_root):
        call_command("backup", output=output, stdout=stdout)

    assert stdout.getvalue().startswith("Backup written: ") and " s" in stdout.getvalue()
    assert output.stat().st_mode & 0o777 == 0o600
    assert not list(output.parent.glob(".*partial"))
    entries = _unpack_plain_tar(output)
    manifest = json.loads(entries[MANIFEST_NAME])
    assert manifest["format_version"] == 1
    assert manifest["vendor"] == ("postgresql" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "sqlite")
    assert "0002_auditentry_append_only_triggers" in manifest["migrations"]["core"]
    listed = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    assert listed["media/licences/doc.bin"] == hashlib.sha256(b"already-encrypted document bytes").hexdigest()
    assert entries["media/licences/doc.bin"] == b"already-encrypted document bytes"
    assert set(listed) == set(entries) - {MANIFEST_NAME}
    everything = b"".join(entries.values())
    for secret in [backup_key, settings.SECRET_KEY, *settings.FIELD_ENCRYPTION_KEYS]:
        assert secret.encode() not in everything


def _tamper(archive: Path) -> None:
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0x40
    archive.write_bytes(bytes(data))


# Transactional: SQLite's backup reads committed pages only, like pg_dump.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_refuses_a_tampered_archive_and_changes_nothing(
    tmp_path: Path, media_root: Path, backup_key: str
) -> None:
    archive = tmp_path / "backup.phbackup"
    with override_settings(PRIVATE_MEDIA_ROOT=media_root):
        call_command("backup", output=archive, stdout=io.StringIO())
        audit_log("after.backup")
        (media_root / "licences" / "new.bin").write_bytes(b"uploaded after the backup")
        rows = AuditEntry.objects.count()
        _tamper(archive)

        with pytest.raises(CommandError, match="tampered with.*Nothing was changed"):
            call_command("restore", input=archive, yes=True, stdout=io.StringIO())

    assert AuditEntry.objects.count() == rows
    assert (media_root / "licences" / "new.bin").read_bytes() == b"uploaded after the backup"


# Transactional: SQLite's backup reads committed pages only, like pg_dump.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_refuses_an_archive_whose_files_do_not_match_the_manifest(
    tmp_path: Path, media_root: Path, backup_key: str
) -> None:
    good = tmp_path / "good.phbackup"
    with override_settings(PRIVATE_MEDIA_ROOT=media_root):
        call_command("backup", output=good, stdout=io.StringIO())
    entries = _unpack_plain_tar(good)
    entries["media/licences/doc.bin"] = b"swapped document"
    # Re-encrypted with the right key: only the manifest's checksums can tell.
    forged = tmp_path / "forged.phbackup"
    with forged.open("wb") as sink:
        writer = EncryptingWriter(sink, key=backup_keys()[0])
        with tarfile.open(fileobj=writer, mode="w|") as tar:  # type: ignore[call-overload]
            for name, content in entries.items():
                info = tarfile.TarInfo(name)
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
        writer.close()

    with override_settings(PRIVATE_MEDIA_ROOT=media_root), pytest.raises(
        CommandError, match="Checksum mismatch for 'media/licences/doc.bin'.*Nothing was changed"
    ):
        call_command("restore", input=forged, yes=True, stdout=io.StringIO())
    assert (media_root / "licences" / "doc.bin").read_bytes() == b"already-encrypted document bytes"


# Transactional: SQLite's backup reads committed pages only, like pg_dump.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_refuses_a_target_that_holds_data_without_yes(
    tmp_path: Path, media_root: Path, backup_key: str
) -> None:
    make_member()
    archive = tmp_path / "backup.phbackup"
    with override_settings(PRIVATE_MEDIA_ROOT=media_root):
        call_command("backup", output=archive, stdout=io.StringIO())

        with pytest.raises(CommandError, match="already holds data.*--yes.*Nothing was changed"):
            call_command("restore", input=archive, stdout=io.StringIO())


# Transactional: SQLite's backup reads committed pages only, like pg_dump.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_refuses_an_archive_encrypted_with_another_key(
    tmp_path: Path, media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "backup.phbackup"
    monkeypatch.setenv(BACKUP_KEY_ENV, Fernet.generate_key().decode())
    with override_settings(PRIVATE_MEDIA_ROOT=media_root):
        call_command("backup", output=archive, stdout=io.StringIO())
        monkeypatch.setenv(BACKUP_KEY_ENV, Fernet.generate_key().decode())

        with pytest.raises(CommandError, match="backup key that is not in PEERHAVEN_BACKUP_KEY"):
            call_command("restore", input=archive, yes=True, stdout=io.StringIO())
