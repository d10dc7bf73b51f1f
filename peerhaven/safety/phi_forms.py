"""The PHI guard where members write: a form mixin that checks named text fields with
`phi.scan` (blocking or warning), the highlighted view of a text that the editor shows, and the
audit helper services call when an author confirms soft findings. Identifier text never leaves
this module in a message, an audit row or a log line: only categories and counts do."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, QueryDict
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from peerhaven.core.audit import audit_log
from peerhaven.core.models import AuditEntry
from peerhaven.safety.phi import Finding, Severity, scan

PhiMode = Literal["block", "warn"]

# The editor checks at most this much text per request; a case presentation is far shorter.
PHI_TEXT_MAX = 20_000
# Field and button names the mixin and the components/phi_textarea.html component share.
CONFIRM_FIELD = "phi_confirm"
REVIEWED_FIELD = "phi_reviewed"
CHECK_BUTTON = "phi_check"

CATEGORY_LABELS: dict[str, Promise] = {
    "name": _("Possible name"),
    "geo": _("Possible place"),
    "date": _("Date more specific than a year"),
    "age_over_89": _("Age over 89"),
    "phone": _("Phone number"),
    "fax": _("Fax number"),
    "email": _("E-mail address"),
    "ssn": _("Social Security number"),
    "mrn": _("Medical record number"),
    "health_plan": _("Health plan number"),
    "account": _("Account number"),
    "licence": _("Certificate or licence number"),
    "vehicle": _("Vehicle identifier"),
    "device": _("Device identifier"),
    "url": _("Web address"),
    "ip": _("IP address"),
    "biometric": _("Biometric identifier"),
    "other_id": _("Other identifying number or code"),
}


def category_label(category: str) -> str:
    return str(CATEGORY_LABELS.get(category, _("Other identifying number or code")))


@dataclass(frozen=True, slots=True)
class TextSegment:
    """A run of the checked text: plain, or one finding. Templates autoescape `text`."""

    text: str
    finding: Finding | None = None

    @property
    def label(self) -> str:
        return category_label(self.finding.category) if self.finding else ""

    @property
    def severity(self) -> str:
        return self.finding.severity if self.finding else ""


@dataclass(frozen=True, slots=True)
class CategoryCount:
    category: str
    severity: Severity
    count: int

    @property
    def label(self) -> str:
        return category_label(self.category)


@dataclass(frozen=True)
class PhiCheck:
    """One text and what the guard found in it."""

    text: str
    findings: tuple[Finding, ...]

    @property
    def blocking(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == "block"]

    @property
    def soft(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == "confirm"]

    @property
    def block_count(self) -> int:
        return len(self.blocking)

    @property
    def confirm_count(self) -> int:
        return len(self.soft)

    @property
    def categories(self) -> list[CategoryCount]:
        """Each (category, severity) once, blocking ones first, in order of first appearance."""
        counts = Counter((finding.category, finding.severity) for finding in self.findings)
        rows = [CategoryCount(category, severity, count) for (category, severity), count in counts.items()]
        return sorted(rows, key=lambda row: row.severity != "block")

    @property
    def segments(self) -> list[TextSegment]:
        segments: list[TextSegment] = []
        cursor = 0
        for finding in self.findings:  # sorted and never overlapping (phi.findings.resolve)
            if finding.start > cursor:
                segments.append(TextSegment(self.text[cursor:finding.start]))
            segments.append(TextSegment(self.text[finding.start:finding.end], finding))
            cursor = finding.end
        if cursor < len(self.text):
            segments.append(TextSegment(self.text[cursor:]))
        return segments


def phi_check(text: str) -> PhiCheck:
    return PhiCheck(text=text, findings=tuple(scan(text)))


def _labels(findings: Iterable[Finding]) -> str:
    seen = dict.fromkeys(category_label(finding.category) for finding in findings)
    return ", ".join(seen)


def _soft_digest(checks: Mapping[str, PhiCheck]) -> str:
    """Binds a confirmation to the exact soft findings the author saw, without storing them:
    a new or changed possible name after the box was ticked needs a fresh confirmation."""
    parts = [
        f"{name}\x1e{finding.category}\x1e{check.text[finding.start:finding.end]}"
        for name, check in sorted(checks.items())
        for finding in check.soft
    ]
    return salted_hmac("peerhaven.safety.phi_confirm", "\x1f".join(parts)).hexdigest()


class PhiGuardedFormMixin(forms.BaseForm):
    """Checks `phi_fields` on clean.

    "block" (case material): structured identifiers are form errors; soft ones (a possible name
    or place) are errors until edited or confirmed with the checkbox that then appears.
    "warn" (forum posts, notes, chat): nothing blocks; templates show `phi_findings`.
    Pressing the "Check for identifiers" button without JavaScript submits the form; the mixin
    then keeps the form invalid so a check never publishes anything.
    """

    phi_fields: ClassVar[tuple[str, ...]] = ()
    phi_mode: ClassVar[PhiMode] = "block"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Field name -> its check, only for fields with findings.
        self.phi_findings: dict[str, PhiCheck] = {}
        self.phi_confirmed = False
        self.fields[CONFIRM_FIELD] = forms.BooleanField(
            required=False,
            label=_("I have checked: these are not identifying"),
            help_text=_("Tick this only if the highlighted words do not identify a client or anyone else."),
            widget=forms.HiddenInput,
        )
        self.fields[REVIEWED_FIELD] = forms.CharField(required=False, widget=forms.HiddenInput)

    @property
    def phi_confirmed_findings(self) -> list[Finding]:
        """The soft findings the author confirmed as not identifying (for phi_confirmation_log)."""
        if not self.phi_confirmed:
            return []
        return [finding for check in self.phi_findings.values() for finding in check.soft]

    @property
    def phi_check_requested(self) -> bool:
        return self.is_bound and CHECK_BUTTON in self.data

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.phi_findings = {}
        for name in self.phi_fields:
            value = cleaned.get(name)
            if isinstance(value, str) and value:
                check = phi_check(value)
                if check.findings:
                    self.phi_findings[name] = check
        if self.phi_mode == "block":
            self._phi_enforce(cleaned)
        if self.phi_check_requested:
            self.add_error(None, ValidationError(
                _("Nothing was posted yet. Please review what the check found, then submit again."),
                code="phi_checked",
            ))
        return cleaned

    def _phi_enforce(self, cleaned: dict[str, Any]) -> None:
        for name, check in self.phi_findings.items():
            if check.blocking:
                self.add_error(name, ValidationError(
                    _("This seems to include identifying details (%(categories)s). Case material must "
                      "be de-identified: please remove them before posting."),
                    code="phi_block", params={"categories": _labels(check.blocking)},
                ))
        soft_checks = {name: check for name, check in self.phi_findings.items() if check.soft}
        if not soft_checks:
            return
        digest = _soft_digest(soft_checks)
        reviewed = str(cleaned.get(REVIEWED_FIELD) or "")
        self.phi_confirmed = bool(cleaned.get(CONFIRM_FIELD)) and constant_time_compare(reviewed, digest)
        if not self.phi_confirmed:
            for name, check in soft_checks.items():
                self.add_error(name, ValidationError(
                    _("This may include identifying details (%(categories)s). Please edit them, or tick "
                      "the box below if they do not identify anyone."),
                    code="phi_confirm", params={"categories": _labels(check.soft)},
                ))
        self._phi_show_confirmation(digest, keep_ticked=self.phi_confirmed)

    def _phi_show_confirmation(self, digest: str, *, keep_ticked: bool) -> None:
        # The re-rendered form carries the digest of what it now highlights; a stale tick
        # (the findings changed since it was ticked) is cleared so the author looks again.
        self.fields[CONFIRM_FIELD].widget = forms.CheckboxInput()
        data: QueryDict | dict[str, Any] = (
            self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
        )
        data[self.add_prefix(REVIEWED_FIELD)] = digest
        if not keep_ticked:
            data.pop(self.add_prefix(CONFIRM_FIELD), None)
        self.data = data


def phi_confirmation_log(
    *,
    actor: Any,
    findings: Iterable[Finding],
    target: Any = None,
    request: HttpRequest | None = None,
) -> AuditEntry | None:
    """Record that `actor` confirmed soft findings as not identifying. Call it from the service
    that publishes, inside its transaction, with `form.phi_confirmed_findings`. Categories and
    counts only: never the text."""
    confirmed = list(findings)
    if not confirmed:
        return None
    by_category = Counter(finding.category for finding in confirmed)
    return audit_log(
        "phi.confirm", actor=actor, target=target, request=request,
        categories=dict(sorted(by_category.items())), count=len(confirmed),
    )
