"""Taking part in a meeting: RSVP, the per-meeting agreement acknowledgement that opens the video
room, the room's spec, and the agenda with its presenter queue and timed slots."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from peerhaven.accounts.tests.factories import make_member
from peerhaven.groups.models.groups import (
    CasePresentation,
    GroupAgreement,
    Membership,
    MembershipStatus,
)
from peerhaven.groups.models.meetings import (
    AgendaItem,
    AgendaItemState,
    MeetingAgreementAck,
    MeetingRsvp,
)
from peerhaven.groups.selectors.meetings import meeting_agenda, rsvp_counts
from peerhaven.groups.services.meetings import (
    agenda_item_add,
    agenda_item_move,
    agenda_item_remove,
    agenda_item_slot,
    agenda_volunteer,
    agreement_acknowledge,
    meeting_cancel,
    rsvp_set,
)
from peerhaven.groups.tests.grid_meetings import make_group, make_meeting
from peerhaven.live.rooms import room_spec, room_url


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    facilitator = make_member(verified=True)
    alice = make_member(verified=True)
    bob = make_member(verified=True)
    group = make_group(facilitator, members=(alice, bob))
    return {"facilitator": facilitator, "alice": alice, "bob": bob, "group": group, "meeting": make_meeting(group)}


# --- RSVP -----------------------------------------------------------------------------------------
def test_it_records_and_changes_an_rsvp(people: dict[str, Any]) -> None:
    meeting = people["meeting"]
    client = sign_in(Client(), people["alice"])
    url = reverse("groups:meeting_rsvp", kwargs={"pk": meeting.pk})
    assert client.post(url, {"response": "maybe"}).status_code == 302
    assert client.post(url, {"response": "going"}).status_code == 302
    assert MeetingRsvp.objects.get(meeting=meeting, member=people["alice"]).response == "going"
    rsvp_set(actor=people["bob"], meeting=meeting, response="not_going")
    assert rsvp_counts(meeting) == {"going": 1, "maybe": 0, "not_going": 1}


def test_it_shows_counts_to_facilitators_only(people: dict[str, Any]) -> None:
    meeting = people["meeting"]
    rsvp_set(actor=people["alice"], meeting=meeting, response="going")
    url = reverse("groups:meeting_detail", kwargs={"pk": meeting.pk})
    counts = "1 going, 0 maybe, 0 not going"
    assert counts in sign_in(Client(), people["facilitator"]).get(url).content.decode()
    assert counts not in sign_in(Client(), people["bob"]).get(url).content.decode()
    listing = reverse("groups:meeting_list", kwargs={"pk": people["group"].pk})
    assert counts in sign_in(Client(), people["facilitator"]).get(listing).content.decode()
    assert counts not in sign_in(Client(), people["bob"]).get(listing).content.decode()


def test_it_refuses_rsvps_from_outsiders_and_for_cancelled_meetings(people: dict[str, Any]) -> None:
    meeting = people["meeting"]
    outsider = make_member(verified=True)
    url = reverse("groups:meeting_rsvp", kwargs={"pk": meeting.pk})
    assert sign_in(Client(), outsider).post(url, {"response": "going"}).status_code == 404
    with pytest.raises(PermissionDenied):
        rsvp_set(actor=outsider, meeting=meeting, response="going")
    meeting_cancel(actor=people["facilitator"], meeting=meeting)
    with pytest.raises(PermissionDenied):
        rsvp_set(actor=people["alice"], meeting=meeting, response="going")
    with pytest.raises(ValidationError):
        rsvp_set(actor=people["alice"], meeting=meeting, response="yes please")
    assert not MeetingRsvp.objects.exists()


def test_it_forgets_a_member_who_left(people: dict[str, Any]) -> None:
    meeting = people["meeting"]
    Membership.objects.filter(user=people["bob"]).update(status=MembershipStatus.LEFT)
    assert sign_in(Client(), people["bob"]).get(reverse("groups:meeting_detail", kwargs={"pk": meeting.pk})).status_code == 404
    with pytest.raises(PermissionDenied):
        rsvp_set(actor=people["bob"], meeting=meeting, response="going")


# --- the agreement, again at each meeting, and the room ----------------------------------------------
def test_it_opens_the_room_only_after_the_acknowledgement(people: dict[str, Any]) -> None:
    meeting = people["meeting"]
    client = sign_in(Client(), people["alice"])
    detail = reverse("groups:meeting_detail", kwargs={"pk": meeting.pk})
    link = room_url("groups.meeting", meeting.pk)
    page = client.get(detail).content.decode()
    assert "I confirm the group agreement for this meeting" in page and link not in page
    assert people["alice"].pk not in room_spec("groups.meeting", str(meeting.pk)).participant_ids  # type: ignore[union-attr]
    assert client.get(link).status_code == 404
    assert client.post(reverse("groups:meeting_acknowledge", kwargs={"pk": meeting.pk})).status_code == 302
    assert MeetingAgreementAck.objects.get(meeting=meeting, member=people["alice"]).agreement_version == 1
    page = client.get(detail).content.decode()
    assert link in page
    assert people["alice"].pk in room_spec("groups.meeting", str(meeting.pk)).participant_ids  # type: ignore[union-attr]
    # The room exists for her now (the live app says "not yet" two days ahead).
    assert client.get(link).status_code == 200


def test_it_asks_again_for_each_meeting_and_after_an_agreement_change(people: dict[str, Any]) -> None:
    meeting = people["meeting"]
    other = make_meeting(people["group"], starts_in=dt.timedelta(days=9))
    agreement_acknowledge(actor=people["alice"], meeting=meeting)
    agreement_acknowledge(actor=people["alice"], meeting=meeting)  # idempotent
    assert MeetingAgreementAck.objects.filter(member=people["alice"]).count() == 1
    assert people["alice"].pk not in room_spec("groups.meeting", str(other.pk)).participant_ids  # type: ignore[union-attr]
    # A new agreement version: first accepted on the group page, then confirmed again here.
    group = people["group"]
    GroupAgreement.objects.create(group=group, version=2, text="New rules")
    group.agreement_version = 2
    group.save(update_fields=["agreement_version"])
    assert people["alice"].pk not in room_spec("groups.meeting", str(meeting.pk)).participant_ids  # type: ignore[union-attr]
    fresh = type(meeting).objects.select_related("group").get(pk=meeting.pk)
    with pytest.raises(PermissionDenied):
        agreement_acknowledge(actor=people["alice"], meeting=fresh)
    Membership.objects.filter(user=people["alice"]).update(agreement_version=2)
    fresh = type(meeting).objects.select_related("group").get(pk=meeting.pk)
    agreement_acknowledge(actor=people["alice"], meeting=fresh)
    assert people["alice"].pk in room_spec("groups.meeting", str(meeting.pk)).participant_ids  # type: ignore[union-attr]


def test_it_describes_the_room_neutrally_with_its_window_and_hosts(people: dict[str, Any]) -> None:
    meeting = people["meeting"]
    for person in (people["facilitator"], people["alice"]):
        agreement_acknowledge(actor=person, meeting=meeting)
    spec = room_spec("groups.meeting", str(meeting.pk))
    assert spec is not None
    assert str(spec.title) == "Group meeting" and people["group"].name not in str(spec.title)
    assert (spec.starts_at, spec.ends_at) == (meeting.starts_at, meeting.ends_at)
    assert spec.opens_at == meeting.starts_at - dt.timedelta(minutes=10)
    assert spec.closes_at == meeting.ends_at + dt.timedelta(minutes=15)
    assert spec.participant_ids == {people["facilitator"].pk, people["alice"].pk}
    assert spec.host_ids == {people["facilitator"].pk}
    assert not spec.external and not spec.closed
    assert spec.back_url == reverse("groups:meeting_detail", kwargs={"pk": meeting.pk})
    assert room_spec("groups.meeting", "nope") is None
    assert room_spec("groups.meeting", "999999") is None
    meeting_cancel(actor=people["facilitator"], meeting=meeting)
    assert room_spec("groups.meeting", str(meeting.pk)).closed  # type: ignore[union-attr]


def test_it_uses_the_external_room_above_a_mesh_of_eight(db: Any) -> None:
    facilitator = make_member(verified=True)
    group = make_group(facilitator, members=tuple(make_member(verified=True) for _ in range(8)))
    meeting = make_meeting(group)
    assert room_spec("groups.meeting", str(meeting.pk)).external  # type: ignore[union-attr]
    Membership.objects.filter(group=group, role="member").first().delete()  # type: ignore[union-attr]
    assert not room_spec("groups.meeting", str(meeting.pk)).external  # type: ignore[union-attr]


# --- agenda and presenter queue -------------------------------------------------------------------------
def test_it_queues_volunteers_in_order_and_slots_them_in_time(people: dict[str, Any]) -> None:
    meeting, facilitator = people["meeting"], people["facilitator"]
    opening = agenda_item_add(actor=facilitator, meeting=meeting, title="Check-in round", minutes=10)
    bob_item = agenda_volunteer(actor=people["bob"], meeting=meeting, title="A boundaries question")
    alice_item = agenda_volunteer(actor=people["alice"], meeting=meeting, title="A rupture in therapy")
    agenda = meeting_agenda(meeting)
    assert [item.pk for item in agenda.queue] == [bob_item.pk, alice_item.pk]  # first come, first listed
    assert [slot.item.pk for slot in agenda.slots] == [opening.pk]
    # The facilitator gives Alice the first case slot, then Bob.
    agenda_item_slot(actor=facilitator, item=alice_item, minutes=20)
    agenda_item_slot(actor=facilitator, item=bob_item, minutes=25)
    agenda = meeting_agenda(meeting)
    assert agenda.queue == []
    assert [slot.item.pk for slot in agenda.slots] == [opening.pk, alice_item.pk, bob_item.pk]
    start = meeting.starts_at
    assert [(slot.starts_at, slot.ends_at) for slot in agenda.slots] == [
        (start, start + dt.timedelta(minutes=10)),
        (start + dt.timedelta(minutes=10), start + dt.timedelta(minutes=30)),
        (start + dt.timedelta(minutes=30), start + dt.timedelta(minutes=55)),
    ]
    assert agenda.planned_minutes == 55
    # Reordering: Bob up, before Alice.
    agenda_item_move(actor=facilitator, item=AgendaItem.objects.get(pk=bob_item.pk), direction="up")
    agenda = meeting_agenda(meeting)
    assert [slot.item.pk for slot in agenda.slots] == [opening.pk, bob_item.pk, alice_item.pk]
    assert agenda.slots[2].starts_at == start + dt.timedelta(minutes=35)
    # Moving the first one up changes nothing.
    agenda_item_move(actor=facilitator, item=AgendaItem.objects.get(pk=opening.pk), direction="up")
    assert [slot.item.pk for slot in meeting_agenda(meeting).slots] == [opening.pk, bob_item.pk, alice_item.pk]


def test_it_keeps_one_queue_place_per_member_and_lets_them_withdraw(people: dict[str, Any]) -> None:
    meeting = people["meeting"]
    item = agenda_volunteer(actor=people["alice"], meeting=meeting, title="First")
    with pytest.raises(ValidationError):
        agenda_volunteer(actor=people["alice"], meeting=meeting, title="Second")
    with pytest.raises(PermissionDenied):
        agenda_item_remove(actor=people["bob"], item=item)
    with pytest.raises(PermissionDenied):
        agenda_item_slot(actor=people["alice"], item=item, minutes=20)
    agenda_item_remove(actor=people["alice"], item=item)
    assert not AgendaItem.objects.exists()


def test_it_links_a_case_presentation_of_the_group_only(people: dict[str, Any]) -> None:
    meeting, group = people["meeting"], people["group"]
    mine = CasePresentation.objects.create(group=group, author=people["alice"], title="Case A",
                                           presenting_question="q", context="c", vignette="v", needs="n")
    elsewhere_group = make_group(people["facilitator"], members=(people["alice"],), name="Other")
    elsewhere = CasePresentation.objects.create(group=elsewhere_group, author=people["alice"], title="Case B",
                                                presenting_question="q", context="c", vignette="v", needs="n")
    bobs = CasePresentation.objects.create(group=group, author=people["bob"], title="Case C",
                                           presenting_question="q", context="c", vignette="v", needs="n")
    with pytest.raises(ValidationError):
        agenda_volunteer(actor=people["alice"], meeting=meeting, title="Mine", case_presentation=elsewhere)
    with pytest.raises(ValidationError):
        agenda_volunteer(actor=people["alice"], meeting=meeting, title="Mine", case_presentation=bobs)
    item = agenda_volunteer(actor=people["alice"], meeting=meeting, title="Mine", case_presentation=mine)
    assert item.case_presentation == mine and item.state == AgendaItemState.QUEUED
    page = sign_in(Client(), people["bob"]).get(reverse("groups:meeting_detail", kwargs={"pk": meeting.pk}))
    assert reverse("groups:presentation_detail", kwargs={"pk": group.pk, "presentation_pk": mine.pk}) in page.content.decode()


def test_it_blocks_identifiers_in_agenda_titles(people: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        agenda_volunteer(actor=people["alice"], meeting=people["meeting"], title="Client MRN 123456789, call 555-123-4567")
    response = sign_in(Client(), people["facilitator"]).post(
        reverse("groups:meeting_agenda_add", kwargs={"pk": people["meeting"].pk}),
        {"title": "Write to jane.doe@example.com", "minutes": "10"},
    )
    assert response.status_code == 422
    assert not AgendaItem.objects.exists()


def test_it_runs_the_agenda_through_the_pages(people: dict[str, Any]) -> None:
    meeting = people["meeting"]
    alice = sign_in(Client(), people["alice"])
    facilitator = sign_in(Client(), people["facilitator"])
    assert alice.post(reverse("groups:meeting_agenda_volunteer", kwargs={"pk": meeting.pk}),
                      {"title": "A question about endings"}).status_code == 302
    item = AgendaItem.objects.get()
    # Members do not manage the agenda: 404, as for any facilitator tool.
    assert alice.post(reverse("groups:meeting_agenda_slot", kwargs={"pk": meeting.pk, "item_pk": item.pk}),
                      {"minutes": "20"}).status_code == 404
    assert facilitator.post(reverse("groups:meeting_agenda_slot", kwargs={"pk": meeting.pk, "item_pk": item.pk}),
                            {"minutes": "20"}).status_code == 302
    item.refresh_from_db()
    assert (item.state, item.minutes) == (AgendaItemState.SLOTTED, 20)
    page = alice.get(reverse("groups:meeting_detail", kwargs={"pk": meeting.pk})).content.decode()
    assert "A question about endings" in page and "20 minutes" in page
