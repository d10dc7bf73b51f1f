"""Keyed blind indexes: an HMAC-SHA256 of a normalised private value, stored beside its encrypted
copy so that equality can be checked in SQL ("same organisation?") without decrypting anything.

The key is derived from SECRET_KEY with a purpose label, so an index made for one purpose cannot
be compared with one made for another. Rotating SECRET_KEY means rebuilding the indexes
(`profile_employer_index_rebuild`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings

# Legal-form words and articles that do not change which organisation is meant.
_NOISE_WORDS = frozenset({
    "the", "inc", "incorporated", "ltd", "limited", "llc", "llp", "plc", "gmbh", "ag", "sa", "sl",
    "bv", "nv", "pty", "co", "corp", "corporation", "company",
})
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)


def _key(purpose: str) -> bytes:
    return hmac.new(
        settings.SECRET_KEY.encode("utf-8"), f"peerhaven blind index: {purpose}".encode(), hashlib.sha256
    ).digest()


def blind_index(purpose: str, normalised: str) -> str:
    """Hex HMAC-SHA256 of an already normalised value; "" for an empty value."""
    if not normalised:
        return ""
    return hmac.new(_key(purpose), normalised.encode("utf-8"), hashlib.sha256).hexdigest()


def normalise_organisation(name: str) -> str:
    """"The Thameside NHS Trust, Ltd." and "thameside nhs trust" are the same organisation."""
    folded = unicodedata.normalize("NFKC", name or "").casefold()
    words = [word for word in _NOT_WORD.split(folded.replace("_", " ")) if word]
    return " ".join(word for word in words if word not in _NOISE_WORDS)


def employer_index(name: str) -> str:
    return blind_index("employer", normalise_organisation(name))
