"""Permission-grid expectations: recurring meetings, RSVP, attendance and the CE log, agendas and
presenter queues. Also the small builders the meetings tests share (a group facilitated by the
grid's owner, a meeting of it).

The grid's owner is the group's facilitator; everybody else the grid walks is outside the group,
so every meeting page answers them 404 (the unverified get the kind 403 page, visitors the
sign-in redirect). A member's own attendance log is open to any member past the gate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerhaven.core.tests.grid_rules import Route, member, verified


def make_group(facilitator: Any, *, members: tuple[Any, ...] = (), time_zone: str = "Europe/Berlin",
               name: str = "Thursday consultation") -> Any:
    """A group as groups' services leave it: agreement v1, accepted by everyone in it."""
    from peerhaven.groups.models.groups import (
        Group,
        GroupAgreement,
        GroupKind,
        Membership,
        MembershipRole,
        MembershipStatus,
    )

    now = timezone.now()
    group = Group.objects.create(name=name, kind=GroupKind.CASE_CONSULTATION, time_zone=time_zone,
                                 agreement_version=1, created_by=facilitator)
    GroupAgreement.objects.create(group=group, version=1, text="What is said here stays here.")
    for person, role in [(facilitator, MembershipRole.FACILITATOR), *[(m, MembershipRole.MEMBER) for m in members]]:
        Membership.objects.create(group=group, user=person, role=role, status=MembershipStatus.ACTIVE,
                                  agreement_version=1, agreement_accepted_at=now, joined_at=now)
    return group


def make_meeting(group: Any, *, starts_in: dt.timedelta = dt.timedelta(days=2), minutes: int = 90) -> Any:
    from peerhaven.groups.models.meetings import Meeting

    start = timezone.now() + starts_in
    return Meeting.objects.create(group=group, starts_at=start, ends_at=start + dt.timedelta(minutes=minutes))


def _group_of(owner: Any) -> dict[str, Any]:
    return {"pk": make_group(owner).pk}


def _meeting_of(owner: Any) -> dict[str, Any]:
    return {"pk": make_meeting(make_group(owner)).pk}


def _started_meeting_of(owner: Any) -> dict[str, Any]:
    # Attendance opens with the room.
    return {"pk": make_meeting(make_group(owner), starts_in=dt.timedelta(minutes=-5)).pk}


def _series_of(owner: Any) -> dict[str, Any]:
    from peerhaven.groups.services.meetings import SeriesPlan, series_create

    group = make_group(owner)
    series = series_create(actor=owner, group=group, plan=SeriesPlan(
        rule="FREQ=WEEKLY;BYDAY=TH", starts_on=timezone.localdate() + dt.timedelta(days=1),
        start_time=dt.time(18, 0), duration_minutes=90,
    ))
    return {"pk": series.pk}


def _agenda_item_of(owner: Any) -> dict[str, Any]:
    from peerhaven.groups.services.meetings import agenda_item_add

    meeting = make_meeting(make_group(owner))
    item = agenda_item_add(actor=owner, meeting=meeting, title="Check-in round", minutes=10)
    return {"pk": meeting.pk, "item_pk": item.pk}


_INSIDE = verified(404)

ROUTES = [
    Route("groups:meeting_list", _INSIDE, make_kwargs=_group_of, owner_status=200),
    Route("groups:meeting_create", _INSIDE, make_kwargs=_group_of, owner_status=200),
    Route("groups:meeting_upcoming", verified(200)),
    Route("groups:meeting_attendance_log", member(200)),
    Route("groups:meeting_attendance_csv", member(200)),
    Route("groups:meeting_attendance_pdf", member(200)),
    Route("groups:meeting_series_edit", _INSIDE, make_kwargs=_series_of, owner_status=200),
    Route("groups:meeting_series_ics", _INSIDE, make_kwargs=_series_of, owner_status=200),
    Route("groups:meeting_detail", _INSIDE, make_kwargs=_meeting_of, owner_status=200),
    Route("groups:meeting_ics", _INSIDE, make_kwargs=_meeting_of, owner_status=200),
    Route("groups:meeting_rsvp", _INSIDE, make_kwargs=_meeting_of, owner_status=302, method="post",
          data={"response": "going"}),
    Route("groups:meeting_acknowledge", _INSIDE, make_kwargs=_meeting_of, owner_status=302, method="post"),
    Route("groups:meeting_move", _INSIDE, make_kwargs=_meeting_of, owner_status=200),
    Route("groups:meeting_cancel", _INSIDE, make_kwargs=_meeting_of, owner_status=200),
    Route("groups:meeting_attendance", _INSIDE, make_kwargs=_started_meeting_of, owner_status=200),
    Route("groups:meeting_agenda_add", _INSIDE, make_kwargs=_meeting_of, owner_status=302, method="post",
          data={"title": "Ethics question", "minutes": "15"}),
    Route("groups:meeting_agenda_volunteer", _INSIDE, make_kwargs=_meeting_of, owner_status=302, method="post",
          data={"title": "A case about boundaries"}),
    Route("groups:meeting_agenda_slot", _INSIDE, make_kwargs=_agenda_item_of, owner_status=302, method="post",
          data={"minutes": "20"}),
    Route("groups:meeting_agenda_move", _INSIDE, make_kwargs=_agenda_item_of, owner_status=302, method="post",
          data={"direction": "up"}),
    Route("groups:meeting_agenda_remove", _INSIDE, make_kwargs=_agenda_item_of, owner_status=302, method="post"),
]
