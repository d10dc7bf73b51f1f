"""The finding type the PHI guard returns, and how overlapping candidates are resolved."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["block", "confirm"]

CATEGORIES: tuple[str, ...] = (
    "name", "geo", "date", "age_over_89", "phone", "fax", "email", "ssn", "mrn",
    "health_plan", "account", "licence", "vehicle", "device", "url", "ip", "biometric",
    "other_id",
)

# Structured identifiers are unambiguous once matched, so the editor refuses them outright;
# the soft ones (a capitalised word that may be a name or a town, a partial date, an age)
# are often false alarms and the author may confirm them instead.
_SOFT = frozenset({"name", "geo", "age_over_89", "biometric"})


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    start: int
    end: int
    category: str
    severity: Severity

    def as_contract(self) -> dict[str, int | str]:
        """The shape `manage.py phi_scan` writes (DESIGN.md): no severity there."""
        return {"start": self.start, "end": self.end, "category": self.category}


@dataclass(frozen=True, slots=True)
class Candidate:
    """A detector's proposal; `priority` decides which of two overlapping proposals wins."""

    start: int
    end: int
    category: str
    priority: int
    full: bool = True  # for dates: a complete date (blocks) or a partial one (confirm)


def severity_for(candidate: Candidate) -> Severity:
    if candidate.category in _SOFT:
        return "confirm"
    if candidate.category == "date" and not candidate.full:
        return "confirm"
    return "block"


def resolve(candidates: list[Candidate]) -> list[Finding]:
    """Keep the strongest proposals so that findings never overlap, then sort them."""
    ranked = sorted(candidates, key=lambda c: (-c.priority, -(c.end - c.start), c.start))
    taken: list[Candidate] = []
    for cand in ranked:
        if cand.end <= cand.start:
            continue
        if any(cand.start < t.end and t.start < cand.end for t in taken):
            continue
        taken.append(cand)
    return sorted(Finding(c.start, c.end, c.category, severity_for(c)) for c in taken)
