"""The member's notifications in their data export, and gone after erasure."""

from __future__ import annotations

import pytest
from django.utils import timezone

from peerhaven.core import privacy
from peerhaven.notifications.models import Notification, NotificationPreference
from peerhaven.notifications.privacy import SECTION, erase_member, export_member

pytestmark = pytest.mark.django_db


def test_it_is_registered_for_export_and_erasure():
    section = next(section for section in privacy.sections() if section.name == SECTION)
    assert section.exporter is export_member and section.eraser is erase_member


def test_it_exports_only_my_notifications_and_choices(member_factory):
    member, other = member_factory(), member_factory()
    Notification.objects.create(user=member, kind="licence.verified", link="/v/", read_at=timezone.now())
    Notification.objects.create(user=other, kind="licence.rejected")
    NotificationPreference.objects.create(user=member, kind="licence.verified", in_app=True, email=False)
    exported = export_member(member)
    assert [(row["kind"], row["title"], row["link"]) for row in exported["notifications"]] == [
        ("licence.verified", "Your licence is verified", "/v/")
    ]
    assert [(row["kind"], row["email"]) for row in exported["preferences"]] == [("licence.verified", False)]


@pytest.mark.parametrize("keep_posts", [True, False])
def test_it_erases_my_notifications_and_choices_only(member_factory, keep_posts):
    member, other = member_factory(), member_factory()
    Notification.objects.create(user=member, kind="licence.verified")
    Notification.objects.create(user=other, kind="licence.verified")
    NotificationPreference.objects.create(user=member, kind="licence.verified")
    erase_member(member, keep_posts_as_former_member=keep_posts)
    assert not Notification.objects.filter(user=member).exists()
    assert not NotificationPreference.objects.filter(user=member).exists()
    assert Notification.objects.filter(user=other).count() == 1
