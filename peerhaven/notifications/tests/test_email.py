"""The notification e-mail: two parts, one-click unsubscribe headers, and no content at all."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings

from peerhaven.accounts.models import Profile
from peerhaven.notifications.emails import EMAIL_CONTEXT_KEYS, email_context
from peerhaven.notifications.kinds import KINDS
from peerhaven.notifications.models import Notification, NotificationPreference
from peerhaven.notifications.services import notify
from peerhaven.verification.models import LicenceSubmission, LicenceType

pytestmark = pytest.mark.django_db

# Planted wherever a careless e-mail might reach for "helpful" detail about the member.
CANARIES = {
    "display_name": "CanaryDisplayName7f3a",
    "pseudonym": "canarypseudonym7f3a",
    "bio": "CanaryBioBurnout7f3a",
    "employer": "CanaryEmployerClinic7f3a",
    "pronouns": "canarypronouns7f3a",
    "region": "CanaryRegion7f3a",
    "specialties": ["CanarySpecialty7f3a"],
    "modalities": ["CanaryModality7f3a"],
    "languages": ["CanaryLanguage7f3a"],
}
# Planted on the member's licence submission: the verifier's note, the reply, the number.
LICENCE_CANARIES = {
    "number": "CanaryLicenceNo7f3a",
    "jurisdiction": "CanaryJurisdiction7f3a",
    "reason": "CanaryVerifierNote7f3a",
    "member_reply": "CanaryMemberReply7f3a",
}


def _canary_strings() -> list[str]:
    strings: list[str] = []
    for value in CANARIES.values():
        strings.extend(value if isinstance(value, list) else [value])
    return strings + list(LICENCE_CANARIES.values())


def _everything_in(message: mail.EmailMessage) -> str:
    assert isinstance(message, mail.EmailMultiAlternatives)
    parts = [message.subject, message.body, message.from_email, *message.to, *message.cc, *message.reply_to]
    parts += [str(content) for content, _mimetype in message.alternatives]
    parts += [f"{name}: {value}" for name, value in message.extra_headers.items()]
    parts.append(message.message().as_string())
    return "\n".join(parts)


def _send_one(capture, member, kind: str = "licence.verified", link: str = "/verification/") -> mail.EmailMultiAlternatives:
    with capture(execute=True):
        notify(user=member, kind=kind, link=link)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert isinstance(message, mail.EmailMultiAlternatives)
    return message


def test_it_renders_no_canary_for_any_kind(member_factory, django_capture_on_commit_callbacks):
    member = member_factory(verified=True)
    Profile.objects.filter(user=member).update(**{k: v for k, v in CANARIES.items() if k != "employer"})
    profile = Profile.objects.get(user=member)
    profile.employer = CANARIES["employer"]  # encrypted field: set through the model
    profile.save(update_fields=["employer"])
    LicenceSubmission.objects.create(
        member=member, licence_type=LicenceType.PSYCHOLOGIST, expires_on=dt.date(2030, 1, 1), **LICENCE_CANARIES
    )
    member.refresh_from_db()
    assert member.public_name == CANARIES["pseudonym"]  # the canaries really are on the member
    for kind in KINDS:
        # Force e-mail on even for kinds that default to off, so every kind is rendered.
        NotificationPreference.objects.update_or_create(user=member, kind=kind, defaults={"in_app": True, "email": True})
    with django_capture_on_commit_callbacks(execute=True):
        for kind in KINDS:
            notify(user=member, kind=kind, link="/home/")
    assert len(mail.outbox) == len(KINDS) > 0
    for message in mail.outbox:
        everything = _everything_in(message).lower()
        leaked = [canary for canary in _canary_strings() if canary.lower() in everything]
        assert not leaked, f"{message.subject!r} leaks {leaked}"


def test_it_sends_a_plain_text_part_and_an_html_part(member_factory, django_capture_on_commit_callbacks):
    member = member_factory()
    message = _send_one(django_capture_on_commit_callbacks, member)
    notification = Notification.objects.get(user=member)
    open_url = f"http://localhost:8000/notifications/{notification.pk}/open/"
    assert open_url in message.body
    assert "/verification/" not in message.body  # the target path itself never reaches the inbox
    assert "<" not in message.body  # plain text, not HTML in disguise
    assert message.content_subtype == "plain"
    html_parts = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    assert len(html_parts) == 1
    assert f'href="{open_url}"' in str(html_parts[0])
    assert "style=" not in str(html_parts[0]) and "<script" not in str(html_parts[0])


def test_it_carries_one_click_unsubscribe_headers(member_factory, django_capture_on_commit_callbacks):
    member = member_factory()
    message = _send_one(django_capture_on_commit_callbacks, member)
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http://localhost:8000/notifications/unsubscribe/") and header.endswith("/>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    raw = message.message()
    assert raw["List-Unsubscribe"] == header
    assert raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@override_settings(SITE_URL="https://peers.example.org", MFA_TOTP_ISSUER="Example Alliance")
def test_it_uses_a_generic_subject_and_the_site_url(member_factory, django_capture_on_commit_callbacks):
    member = member_factory()
    message = _send_one(django_capture_on_commit_callbacks, member, kind="licence.rejected", link="/verification/")
    assert message.subject == "There is something new for you on Example Alliance"
    assert "https://peers.example.org/notifications/" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<https://peers.example.org/notifications/unsubscribe/")
    assert "https://peers.example.org/notifications/preferences/" in message.body


def test_it_links_to_the_notification_even_when_it_has_no_target(member_factory, django_capture_on_commit_callbacks):
    member = member_factory()
    message = _send_one(django_capture_on_commit_callbacks, member, link="")
    notification = Notification.objects.get(user=member)
    assert f"http://localhost:8000/notifications/{notification.pk}/open/\n" in message.body


def test_it_builds_the_context_from_the_allow_list_only():
    context = email_context(kind="licence.verified", link="/x/", unsubscribe_token="token")
    assert set(context) == EMAIL_CONTEXT_KEYS
    assert all(isinstance(value, str) for value in context.values())
    assert context["kind_title"] == str(KINDS["licence.verified"].title)


def test_it_would_notice_a_leak_in_any_part():
    # The detector itself: a canary in the HTML part or a header must be seen.
    canary = _canary_strings()[0]
    leaky = mail.EmailMultiAlternatives(subject="s", body="b", to=["a@example.org"], headers={"X-Name": canary})
    assert canary in _everything_in(leaky)
    leaky = mail.EmailMultiAlternatives(subject="s", body="b", to=["a@example.org"])
    leaky.attach_alternative(f"<p>{canary}</p>", "text/html")
    assert canary in _everything_in(leaky)
