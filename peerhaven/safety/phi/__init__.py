"""The PHI guard: finds HIPAA Safe Harbor identifiers in free text, offline and in-process."""

from __future__ import annotations

from peerhaven.safety.phi.findings import CATEGORIES, Finding, Severity
from peerhaven.safety.phi.lexicon import warm_up
from peerhaven.safety.phi.scanner import scan

__all__ = ["CATEGORIES", "Finding", "Severity", "scan", "warm_up"]
