"""The catalogue of notification kinds. Titles are fixed text: never user content."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class NotificationKind:
    code: str
    title: StrOrPromise
    description: StrOrPromise
    email_default: bool = True


KINDS: dict[str, NotificationKind] = {}


def register(code: str, title: StrOrPromise, description: StrOrPromise, email_default: bool = True) -> NotificationKind:
    kind = NotificationKind(code, title, description, email_default)
    KINDS[code] = kind
    return kind


def is_registered(code: str) -> bool:
    return code in KINDS


def kind_title(code: str) -> str:
    kind = KINDS.get(code)
    return str(kind.title) if kind else str(_("Something new for you"))


register("licence.verified", _("Your licence is verified"), _("When a verifier approves your licence."))
register("licence.rejected", _("Your licence needs attention"), _("When a verifier cannot approve your licence."))
register("licence.more_info", _("A verifier has a question about your licence"), _("When a verifier asks for more information."))
register("licence.expiring", _("Your licence verification expires soon"), _("30 days before your licence expires."))
register("licence.expired", _("Your licence verification has expired"), _("When your licence expiry date passes."))
register("safety.report_resolved", _("A report you made was reviewed"), _("When a moderator closes your report."))
register("account.security", _("A security change on your account"), _("Sign-in and security changes."), email_default=True)
register("account.mfa_reset", _("Your second factor was reset"), _("When staff reset your second factor after checking your identity."), email_default=True)
register("account.new_device", _("A sign-in from a new device"), _("When your account is signed in on a kind of device it has not used before."), email_default=True)
