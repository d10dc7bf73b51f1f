"""Authenticated encryption of sensitive fields (Fernet: AES-CBC + HMAC-SHA256) with key rotation.

Keys come from PEERHAVEN_FIELD_KEYS, newest first; the newest encrypts, every listed key decrypts.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@lru_cache(maxsize=4)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def field_cipher() -> MultiFernet:
    return _multifernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_text(plaintext: str) -> str:
    return field_cipher().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    try:
        return field_cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        # Never include the token or any plaintext in the message.
        raise ValueError("An encrypted field could not be decrypted with the configured keys.") from exc


def encrypt_bytes(data: bytes) -> bytes:
    return field_cipher().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return field_cipher().decrypt(token)
    except InvalidToken as exc:
        raise ValueError("Encrypted data could not be decrypted with the configured keys.") from exc


def rotate_token(token: str) -> str:
    """Re-encrypt a token under the newest key (used by `manage.py rotate_field_keys`)."""
    return field_cipher().rotate(token.encode("ascii")).decode("ascii")


def rotate_bytes(token: bytes) -> bytes:
    return field_cipher().rotate(token)
