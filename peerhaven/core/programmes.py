"""The six programmes: what each offers, shown on the public services page and the member home.

Each open programme names its app's landing page in `entry_url_name`; a programme without one
(its app is not built yet) has a page that describes it and says that it is not open yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Programme:
    slug: str
    title: StrOrPromise
    summary: StrOrPromise
    offers: tuple[StrOrPromise, ...]
    who: StrOrPromise
    entry_url_name: str | None = None


PROGRAMMES: tuple[Programme, ...] = (
    Programme(
        slug="t4t",
        title=_("Therapist-for-therapist sessions"),
        summary=_("Confidential one-to-one support from a peer who fits you and has no tie to your work."),
        offers=(
            _("Find a peer supporter by language, specialty and jurisdiction."),
            _("Nobody from your organisation, supervisory line or your never-match list is suggested."),
            _("Book in your own time zone; meet by video inside Peerhaven."),
        ),
        who=_("Verified members. Peer supporters are verified members approved by staff."),
        entry_url_name="support:home",
    ),
    Programme(
        slug="groups",
        title=_("Supervision and consultation groups"),
        summary=_("Small closed groups that meet on a schedule and discuss de-identified cases."),
        offers=(
            _("Case consultation, ethics, supervision, general support and affinity groups."),
            _("A group agreement every member accepts, and a guard that checks case material for identifiers."),
            _("An attendance log you can use for continuing education."),
        ),
        who=_("Verified members; each group decides how members join."),
        entry_url_name="groups:directory",
    ),
    Programme(
        slug="community",
        title=_("Peer communities and live meetups"),
        summary=_("Secure forums and live meetups where you can post openly, under a pseudonym, or anonymously but verified."),
        offers=(
            _("Communities on shared topics, with content notes and support reactions."),
            _("Live meetups with chat and video."),
        ),
        who=_("Verified members."),
        entry_url_name="forums:communities",
    ),
    Programme(
        slug="checkins",
        title=_("Reflective practice and peer check-ins"),
        summary=_("A standing check-in with a trusted peer, private reflections and a private wellbeing pulse."),
        offers=(
            _("Weekly, fortnightly or monthly check-ins with a peer you choose."),
            _("Reflections and wellbeing answers that only you can read, encrypted at rest."),
        ),
        who=_("Verified members."),
    ),
    Programme(
        slug="retreats",
        title=_("Retreats and wellness gatherings"),
        summary=_("In-person and hybrid gatherings with fair waitlists and room for your access and dietary needs."),
        offers=(
            _("Register, join a waitlist, and tell organisers what you need to take part."),
        ),
        who=_("Verified members."),
    ),
    Programme(
        slug="workshops",
        title=_("Peer-led workshops and training"),
        summary=_("Workshops on secondary trauma, boundaries and work-life balance, with verifiable CE certificates."),
        offers=(
            _("Materials, attendance and a certificate anyone can verify."),
        ),
        who=_("Verified members; facilitators run workshops."),
    ),
)

PROGRAMMES_BY_SLUG = {programme.slug: programme for programme in PROGRAMMES}


def enabled_programmes(request: HttpRequest | None = None) -> tuple[Programme, ...]:
    """The programmes staff switched on (instance settings), in catalogue order."""
    from peerhaven.sitesettings.selectors import enabled_programme_slugs

    enabled = enabled_programme_slugs(request)
    return tuple(programme for programme in PROGRAMMES if programme.slug in enabled)


def enabled_programme(slug: str, request: HttpRequest | None = None) -> Programme | None:
    """The programme with `slug` when it exists and is switched on."""
    programme = PROGRAMMES_BY_SLUG.get(slug)
    return programme if programme is not None and programme in enabled_programmes(request) else None
