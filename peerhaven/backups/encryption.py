"""The backup archive's encryption: AES-256-GCM over fixed-size chunks (the STREAM construction),
so archives of any size are written and read in constant memory.

Layout: a 33-byte header (magic, format version, key id, salt), then records of at most
CHUNK_SIZE plaintext bytes plus a 16-byte tag. Each archive gets its own AES key, derived with
HKDF from the backup key and the random salt, so nonces never repeat across archives. A
record's nonce is its counter plus a "last record" flag and the header is authenticated with
every record: reordering, dropping, truncating or appending records fails to decrypt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MAGIC = b"PHBACKUP"
FORMAT_VERSION = 1
KEY_ID_BYTES = 8
SALT_BYTES = 16
HEADER_BYTES = len(MAGIC) + 1 + KEY_ID_BYTES + SALT_BYTES
CHUNK_SIZE = 1024 * 1024
TAG_BYTES = 16
RECORD_BYTES = CHUNK_SIZE + TAG_BYTES
_COUNTER_BYTES = 11  # plus one flag byte: the 12-byte GCM nonce
BACKUP_KEY_ENV = "PEERHAVEN_BACKUP_KEY"


class ArchiveError(Exception):
    """The archive cannot be read: wrong key, not an archive, damaged or tampered with."""


def _decode_key(encoded: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(encoded.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise ImproperlyConfigured(f"{BACKUP_KEY_ENV} holds a value that is not url-safe base64.") from exc
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{BACKUP_KEY_ENV} keys must be 32 bytes (a Fernet key), got {len(raw)}.")
    return raw


def backup_keys() -> list[bytes]:
    """PEERHAVEN_BACKUP_KEY: comma-separated keys, newest first (newest encrypts, all decrypt).

    A key separate from the field keys, so whoever holds backups and their key still cannot read
    a live database's encrypted fields without the field keys, and the other way round. In
    development only, the newest field key stands in so a first look needs no setup.
    """
    configured = [item.strip() for item in os.environ.get(BACKUP_KEY_ENV, "").split(",") if item.strip()]
    if configured:
        return [_decode_key(item) for item in configured]
    if settings.DEVELOPMENT:
        return [_decode_key(settings.FIELD_ENCRYPTION_KEYS[0])]
    raise ImproperlyConfigured(
        f"{BACKUP_KEY_ENV} is not set. Generate one with "
        '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"` '
        "and keep it outside the backups (see docs/deployment.md)."
    )


def key_id(key: bytes) -> bytes:
    """A short public fingerprint, so a wrong key is named as such instead of as tampering."""
    return hashlib.sha256(b"peerhaven backup key id\x00" + key).digest()[:KEY_ID_BYTES]


def _archive_cipher(key: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"peerhaven backup v1").derive(key)
    return AESGCM(derived)


def _nonce(counter: int, *, last: bool) -> bytes:
    return counter.to_bytes(_COUNTER_BYTES, "big") + (b"\x01" if last else b"\x00")


class EncryptingWriter:
    """A write-only file object: what is written comes out encrypted into `sink`.

    `close()` writes the final record and must be called, or the archive reads as truncated.
    """

    def __init__(self, sink: BinaryIO, *, key: bytes) -> None:
        salt = os.urandom(SALT_BYTES)
        self._header = MAGIC + bytes([FORMAT_VERSION]) + key_id(key) + salt
        self._cipher = _archive_cipher(key, salt)
        self._sink = sink
        self._buffer = bytearray()
        self._counter = 0
        self.closed = False
        sink.write(self._header)

    def _emit(self, plaintext: bytes, *, last: bool) -> None:
        nonce = _nonce(self._counter, last=last)
        self._sink.write(self._cipher.encrypt(nonce, plaintext, self._header))
        self._counter += 1

    def write(self, data: bytes) -> int:
        if self.closed:
            raise ValueError("write to a closed archive")
        self._buffer += data
        # Full records only while at least one whole chunk is buffered: the last record is
        # then always shorter than a full one, which is how the reader recognises it.
        while len(self._buffer) >= CHUNK_SIZE:
            self._emit(bytes(self._buffer[:CHUNK_SIZE]), last=False)
            del self._buffer[:CHUNK_SIZE]
        return len(data)

    def flush(self) -> None:
        self._sink.flush()

    def close(self) -> None:
        if self.closed:
            return
        self._emit(bytes(self._buffer), last=True)
        self._buffer.clear()
        self._sink.flush()
        self.closed = True


class DecryptingReader:
    """A read-only file object over an archive: yields the plaintext, record by record.

    Every record is authenticated before a byte of it is returned; any failure raises
    ArchiveError, and so does reaching the end without the final record.
    """

    def __init__(self, source: BinaryIO, *, keys: list[bytes]) -> None:
        header = source.read(HEADER_BYTES)
        if len(header) != HEADER_BYTES or not header.startswith(MAGIC):
            raise ArchiveError("This file is not a Peerhaven backup archive.")
        version = header[len(MAGIC)]
        if version != FORMAT_VERSION:
            raise ArchiveError(f"This archive uses format {version}; this release reads format {FORMAT_VERSION}.")
        archive_key_id = header[len(MAGIC) + 1 : len(MAGIC) + 1 + KEY_ID_BYTES]
        salt = header[-SALT_BYTES:]
        key = next((candidate for candidate in keys if key_id(candidate) == archive_key_id), None)
        if key is None:
            raise ArchiveError(
                f"This archive was encrypted with a backup key that is not in {BACKUP_KEY_ENV}."
            )
        self._header = header
        self._cipher = _archive_cipher(key, salt)
        self._source = source
        self._buffer = bytearray()
        self._counter = 0
        self._finished = False

    def _next_record(self) -> None:
        record = self._source.read(RECORD_BYTES)
        last = len(record) < RECORD_BYTES
        if len(record) < TAG_BYTES:
            raise ArchiveError("The archive is truncated: its final record is missing.")
        try:
            plaintext = self._cipher.decrypt(_nonce(self._counter, last=last), record, self._header)
        except InvalidTag as exc:
            raise ArchiveError(
                "The archive is damaged or has been tampered with (a record failed authentication)."
            ) from exc
        self._counter += 1
        self._buffer += plaintext
        if last:
            self._finished = True
            if self._source.read(1):
                raise ArchiveError("The archive has data after its final record.")

    def read(self, size: int = -1) -> bytes:
        while not self._finished and (size < 0 or len(self._buffer) < size):
            self._next_record()
        if size < 0:
            size = len(self._buffer)
        chunk = bytes(self._buffer[:size])
        del self._buffer[:size]
        return chunk

    def drain(self) -> None:
        """Read and authenticate up to the final record (tar stops before its padding ends)."""
        while not self._finished:
            self._next_record()
        self._buffer.clear()
