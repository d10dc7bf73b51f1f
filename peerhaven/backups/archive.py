"""Building and unpacking a backup archive: a tar of the database dump, the private uploads and
a manifest, inside the encryption of peerhaven.backups.encryption.

Layout inside the tar: `database.pgdump` or `database.sqlite3`, `media/<path under
PRIVATE_MEDIA_ROOT>`, and `manifest.json` last. Keys (field keys, backup key, secret key) are
never written: they live in the environment, and an archive is useless without the field keys.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

import django
from django.utils import timezone

from peerhaven.backups import database
from peerhaven.backups.encryption import (
    ArchiveError,
    DecryptingReader,
    EncryptingWriter,
    backup_keys,
)

MANIFEST_NAME = "manifest.json"
MEDIA_DIR = "media"
MANIFEST_FORMAT = 1
_HASH_BLOCK = 1024 * 1024


class ManifestError(Exception):
    """The unpacked archive does not match its manifest (or the manifest is unusable)."""


@dataclass(frozen=True)
class UnpackedArchive:
    """An archive decrypted into a private temporary directory and checked against its manifest."""

    root: Path
    manifest: dict[str, Any]

    @property
    def dump_path(self) -> Path:
        return self.root / str(self.manifest["database"]["file"])

    def media_files(self) -> Iterator[tuple[str, Path]]:
        """(path relative to PRIVATE_MEDIA_ROOT, unpacked file) for every upload."""
        prefix = f"{MEDIA_DIR}/"
        for entry in self.manifest["files"]:
            name = str(entry["path"])
            if name.startswith(prefix):
                yield name[len(prefix) :], self.root / name


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _media_files(media_root: Path) -> list[tuple[str, Path]]:
    if not media_root.is_dir():
        return []
    found: list[tuple[str, Path]] = []
    for directory, _dirnames, filenames in os.walk(media_root):
        for filename in filenames:
            path = Path(directory) / filename
            # Regular files only: a symlink could point at a key file outside the media root.
            if path.is_file() and not path.is_symlink():
                found.append((path.relative_to(media_root).as_posix(), path))
    return sorted(found)


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> dict[str, Any]:
    """Add `path` as `name`, hashing the very bytes that go into the tar."""
    digest = hashlib.sha256()
    size = path.stat().st_size
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(path.stat().st_mtime)

    class _HashingReader(io.RawIOBase):
        def __init__(self, handle: BinaryIO) -> None:
            self._handle = handle

        def readinto(self, buffer: Any) -> int:
            data = self._handle.read(len(buffer))
            digest.update(data)
            buffer[: len(data)] = data
            return len(data)

        def readable(self) -> bool:
            return True

    with path.open("rb") as handle:
        tar.addfile(info, io.BufferedReader(_HashingReader(handle)))
    return {"path": name, "size": size, "sha256": digest.hexdigest()}


def write_archive(output: Path) -> int:
    """Write an encrypted archive of the database and private uploads to `output`; returns its size.

    Written beside the target under a temporary name (mode 0600) and renamed at the end, so a
    failed or interrupted backup never leaves something that looks like a finished archive.
    """
    key = backup_keys()[0]
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.partial")
    with tempfile.TemporaryDirectory(prefix="peerhaven-backup-") as workdir:
        dump_name = database.DUMP_NAMES[database.vendor()]
        dump_path = Path(workdir) / dump_name
        database.dump_database(dump_path)
        # Read after the dump: migrations applied meanwhile would be in the dump too.
        migrations = database.migration_state()
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as sink:
                writer = EncryptingWriter(sink, key=key)
                with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:  # type: ignore[call-overload]
                    files = [_add_file(tar, dump_name, dump_path)]
                    for relative, path in _media_files(database.private_media_root()):
                        files.append(_add_file(tar, f"{MEDIA_DIR}/{relative}", path))
                    manifest = {
                        "format_version": MANIFEST_FORMAT,
                        "created_at": timezone.now().isoformat(),
                        "django_version": django.get_version(),
                        "vendor": database.vendor(),
                        "database": {"file": dump_name},
                        "migrations": migrations,
                        "files": files,
                    }
                    encoded = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
                    info = tarfile.TarInfo(MANIFEST_NAME)
                    info.size = len(encoded)
                    info.mode = 0o600
                    info.mtime = int(timezone.now().timestamp())
                    tar.addfile(info, io.BytesIO(encoded))
                writer.close()
                os.fsync(sink.fileno())
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return output.stat().st_size


def _check_member(member: tarfile.TarInfo) -> None:
    name = PurePosixPath(member.name)
    if not (member.isfile() or member.isdir()):
        raise ManifestError(f"The archive holds an entry that is not a plain file: {member.name!r}.")
    if name.is_absolute() or ".." in name.parts:
        raise ManifestError(f"The archive holds a path outside its root: {member.name!r}.")


def unpack_archive(source: Path, workdir: Path) -> UnpackedArchive:
    """Decrypt `source` into `workdir` and check every file against the manifest.

    Nothing outside `workdir` is touched: a damaged, tampered or foreign archive is refused
    before the database or the uploads are changed.
    """
    with source.open("rb") as handle:
        reader = DecryptingReader(handle, keys=backup_keys())
        try:
            with tarfile.open(fileobj=reader, mode="r|") as tar:  # type: ignore[call-overload]
                for member in tar:
                    _check_member(member)
                    # The "data" filter refuses links, devices and unsafe modes on top of our check.
                    tar.extract(member, workdir, filter="data")
            reader.drain()
        except tarfile.TarError as exc:
            raise ArchiveError("The archive's contents are not a readable tar stream.") from exc
    return UnpackedArchive(root=workdir, manifest=_verified_manifest(workdir))


def _verified_manifest(root: Path) -> dict[str, Any]:
    manifest_path = root / MANIFEST_NAME
    if not manifest_path.is_file():
        raise ManifestError("The archive has no manifest.")
    try:
        manifest = json.loads(manifest_path.read_text("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ManifestError("The archive's manifest is not valid JSON.") from exc
    if not isinstance(manifest, dict) or manifest.get("format_version") != MANIFEST_FORMAT:
        raise ManifestError("The archive's manifest has an unknown format version.")
    listed: dict[str, str] = {}
    for entry in manifest.get("files", []):
        listed[str(entry["path"])] = str(entry["sha256"])
    dump_file = str(manifest.get("database", {}).get("file", ""))
    if dump_file not in listed:
        raise ManifestError("The archive's manifest lists no database dump.")
    present = {
        path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file() and path != manifest_path
    }
    if present != set(listed):
        raise ManifestError("The archive's files do not match its manifest (files missing or added).")
    for name, expected in listed.items():
        if _sha256(root / name) != expected:
            raise ManifestError(f"Checksum mismatch for {name!r}: the archive has been altered.")
    try:
        dt.datetime.fromisoformat(str(manifest["created_at"]))
    except (KeyError, ValueError) as exc:
        raise ManifestError("The archive's manifest has no valid creation time.") from exc
    return manifest
