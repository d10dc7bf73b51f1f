"""Seeds the first terms of use and community guidelines, so a new instance asks its first
members to accept something real. Later versions are published by staff (admin) and each one
is accepted at the member's next request (MemberGateMiddleware)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

VERSION = "1.0"

TERMS = """\
Peerhaven is a place where mental health clinicians support one another. By using it you agree to the following.

1. Peer support, not treatment. Conversations, groups and sessions here are peer support, consultation or supervision between professionals. They are not therapy, not an emergency service and not crisis care. If you are at risk, use the crisis resources linked on every page or contact local emergency services.

2. Confidentiality. What members share with you stays with you. Do not copy, forward, screenshot or repeat another member's words, name or situation outside the space where they shared it, unless there is a serious and imminent risk to someone's safety.

3. No identifiable client information. Before you bring case material, de-identify it: leave out names, dates, places, contact details, record numbers, photographs and any detail that could let someone recognise a client. The platform checks case posts for obvious identifiers, but you remain responsible for what you share.

4. Your professional duties still apply. Your own licensing rules, codes of ethics and mandatory reporting duties continue to apply to you here. Peerhaven does not take over any clinical responsibility for your clients.

5. Your account. Keep your sign-in details and second factor to yourself. Tell the staff if you believe someone else has used your account. Your data is handled as described on the privacy page; you can download it or delete your account at any time.

6. Enforcement. Staff may hide content, suspend accounts or end membership when these terms or the community guidelines are broken.
"""

GUIDELINES = """\
Treat every member with respect. Disagree with ideas, never attack the person. Harassment, discrimination and contempt for anyone's identity, background or orientation are not tolerated.

Support, do not diagnose. Offer your experience and listen. Do not assess, diagnose or treat a fellow member, and do not start a therapeutic relationship with someone you meet here.

No solicitation. Do not recruit clients, refer clients to yourself, advertise your practice or sell products or training to members, unless a space is explicitly set up for that purpose by the staff.

Respect pseudonyms and anonymity. Do not try to find out who is behind a pseudonym or an anonymous post, and do not reveal a member's identity.

Look after each other. If a member seems to be at risk, or a post breaks these guidelines, use the report button. Reports go to the moderators, who treat them confidentially. Do not use reports against people you simply disagree with.

Look after yourself. Take breaks, set boundaries, and use the crisis resources whenever you need them.
"""


def seed(apps: Any, schema_editor: Any) -> None:
    terms_version = apps.get_model("accounts", "TermsVersion")
    if not terms_version.objects.exists():
        terms_version.objects.create(
            version=VERSION, terms=TERMS, guidelines=GUIDELINES,
            summary_of_changes="",
        )


def unseed(apps: Any, schema_editor: Any) -> None:
    terms_version = apps.get_model("accounts", "TermsVersion")
    terms_acceptance = apps.get_model("accounts", "TermsAcceptance")
    # Acceptances PROTECT their version: a version members have accepted is left in place.
    if not terms_acceptance.objects.filter(terms_version__version=VERSION).exists():
        terms_version.objects.filter(version=VERSION).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_user_erased_at")]

    operations = [migrations.RunPython(seed, unseed)]
