"""The facilitator's pages: creating and editing a group, the agreement editor, invitations and
decisions on the members page, archiving, and the staff's group-size setting."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from peerhaven.accounts.tests.factories import make_member
from peerhaven.groups.models.groups import Group, GroupAgreement, Membership, MembershipStatus
from peerhaven.groups.services.groups import membership_request
from peerhaven.groups.tests.grid_groups import facilitated_group

pytestmark = pytest.mark.django_db


def test_it_creates_a_group_from_the_form() -> None:
    facilitator = make_member(verified=True, roles=("facilitator",))
    client = sign_in(Client(), facilitator)
    response = client.post(reverse("groups:group_create"), {
        "name": "Ethics at dusk", "description": "Monthly ethics", "kind": "ethics", "visibility": "listed",
        "join_policy": "open", "capacity": 6, "language": "es", "time_zone": "America/Bogota",
        "jurisdictions": "Colombia; Peru", "agreement_text": "Confidencialidad ante todo.",
    })
    group = Group.objects.get(name="Ethics at dusk")
    assert response.status_code == 302 and response["Location"] == reverse("groups:group_detail", kwargs={"pk": group.pk})
    assert sorted(group.jurisdictions.values_list("name", flat=True)) == ["Colombia", "Peru"]
    assert group.time_zone_band == "americas" and group.agreement_version == 1
    too_big = client.post(reverse("groups:group_create"), {
        "name": "Huge", "kind": "ethics", "visibility": "listed", "join_policy": "open", "capacity": 40,
        "language": "en", "time_zone": "UTC", "agreement_text": "Rules.",
    })
    assert too_big.status_code == 400 and not Group.objects.filter(name="Huge").exists()


def test_it_edits_details_and_the_agreement() -> None:
    owner = make_member(verified=True)
    group = facilitated_group(owner)
    client = sign_in(Client(), owner)
    response = client.post(reverse("groups:group_edit", kwargs={"pk": group.pk}), {
        "name": "Renamed", "description": "", "kind": "supervision", "visibility": "unlisted",
        "join_policy": "invitation", "capacity": 5, "language": "en", "time_zone": "Asia/Tokyo",
        "jurisdictions": "Japan",
    })
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.name, group.time_zone_band, group.visibility) == ("Renamed", "asia_pacific", "unlisted")
    assert list(group.jurisdictions.values_list("name", flat=True)) == ["Japan"]
    client.post(reverse("groups:agreement_edit", kwargs={"pk": group.pk}), {"text": "Version two."})
    assert GroupAgreement.objects.filter(group=group).count() == 2
    page = client.get(reverse("groups:agreement", kwargs={"pk": group.pk}))
    assert "Version two." in page.content.decode()


def test_it_invites_and_decides_from_the_members_page() -> None:
    owner = make_member(verified=True)
    group = facilitated_group(owner)
    invitee = make_member(verified=True)
    invitee.profile.pseudonym = "gentle-wren"
    invitee.profile.save(update_fields=["pseudonym"])
    client = sign_in(Client(), owner)
    members_url = reverse("groups:members", kwargs={"pk": group.pk})
    assert client.post(reverse("groups:member_invite", kwargs={"pk": group.pk}),
                       {"pseudonym": "gentle-wren"}).status_code == 302
    assert Membership.objects.get(group=group, user=invitee).status == MembershipStatus.INVITED
    asker = make_member(verified=True)
    request = membership_request(actor=asker, group=group)
    page = client.get(members_url).content.decode()
    assert asker.public_name in page and "Approve" in page
    decide = reverse("groups:membership_decide", kwargs={"pk": group.pk, "membership_pk": request.pk, "action": "decline"})
    assert client.post(decide).status_code == 302
    assert Membership.objects.get(pk=request.pk).status == MembershipStatus.DECLINED
    unknown = reverse("groups:membership_decide", kwargs={"pk": group.pk, "membership_pk": request.pk, "action": "explode"})
    assert client.post(unknown).status_code == 404


def test_it_archives_from_the_confirmation_page() -> None:
    owner = make_member(verified=True)
    group = facilitated_group(owner)
    client = sign_in(Client(), owner)
    assert client.post(reverse("groups:group_archive", kwargs={"pk": group.pk})).status_code == 302
    group.refresh_from_db()
    assert group.archived_at is not None
    assert client.get(reverse("groups:group_edit", kwargs={"pk": group.pk})).status_code == 404


def test_it_lets_staff_set_the_largest_group_size() -> None:
    staff = make_member(verified=True, roles=("staff",))
    client = sign_in(Client(), staff, passkey=True)
    assert client.post(reverse("groups:settings"), {"max_group_size": 10}).status_code == 302
    assert client.post(reverse("groups:settings"), {"max_group_size": 500}).status_code == 400
