"""`scan()`: run every detector over a text and return non-overlapping findings."""

from __future__ import annotations

from peerhaven.safety.phi.findings import Finding, resolve
from peerhaven.safety.phi.names import name_candidates
from peerhaven.safety.phi.places import place_candidates
from peerhaven.safety.phi.structured import structured_candidates


def scan(text: str) -> list[Finding]:
    """Findings for the Safe Harbor identifiers in `text`, sorted by position."""
    if not text or not text.strip():
        return []
    return resolve([*structured_candidates(text), *place_candidates(text), *name_candidates(text)])
