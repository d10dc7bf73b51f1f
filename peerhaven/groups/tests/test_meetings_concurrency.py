"""Simultaneous writers on PostgreSQL (real threads): two schedulers extending the horizon at once
create each occurrence once, and simultaneous RSVPs / acknowledgements by one member leave one row."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.utils import timezone

from conftest import need_postgres
from peerhaven.accounts.tests.factories import make_member
from peerhaven.groups.models.meetings import (
    Meeting,
    MeetingAgreementAck,
    MeetingRsvp,
    MeetingSeries,
)
from peerhaven.groups.services.meetings import (
    SeriesPlan,
    agreement_acknowledge,
    rsvp_set,
    series_create,
    series_materialise,
)
from peerhaven.groups.tests.grid_meetings import make_group, make_meeting

WORKERS = 6


def _together(work: Callable[[int], None]) -> list[BaseException]:
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=20)
            work(index)
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.fixture
def postgres() -> None:
    if connection.vendor != "postgresql":
        need_postgres("a real race (SQLite serialises writers)")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_materialises_each_occurrence_once_under_simultaneous_schedulers(postgres: None) -> None:
    facilitator = make_member(verified=True)
    group = make_group(facilitator)
    series = series_create(actor=facilitator, group=group, plan=SeriesPlan(
        rule="FREQ=WEEKLY;BYDAY=MO,WE,FR", starts_on=timezone.localdate() + dt.timedelta(days=1),
        start_time=dt.time(18, 0), duration_minutes=60,
    ))
    expected = Meeting.objects.filter(series=series).count()
    Meeting.objects.filter(series=series).delete()
    MeetingSeries.objects.filter(pk=series.pk).update(materialised_until=None)

    def extend(_index: int) -> None:
        series_materialise(series=MeetingSeries.objects.get(pk=series.pk))

    assert _together(extend) == []
    assert Meeting.objects.filter(series=series).count() == expected


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_keeps_one_answer_and_one_acknowledgement_per_member(postgres: None) -> None:
    facilitator = make_member(verified=True)
    alice = make_member(verified=True)
    meeting = make_meeting(make_group(facilitator, members=(alice,)))
    answers = ["going", "maybe", "not_going"]

    def answer(index: int) -> None:
        fresh = Meeting.objects.select_related("group").get(pk=meeting.pk)
        rsvp_set(actor=alice, meeting=fresh, response=answers[index % 3])
        agreement_acknowledge(actor=alice, meeting=fresh)

    errors = _together(answer)
    assert errors == []
    assert MeetingRsvp.objects.filter(meeting=meeting, member=alice).count() == 1
    assert MeetingAgreementAck.objects.filter(meeting=meeting, member=alice).count() == 1
