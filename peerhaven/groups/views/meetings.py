"""Meeting pages: a group's meetings, scheduling (series or one-off), one meeting (RSVP, the
per-meeting agreement acknowledgement, the video room link, agenda and presenter queue), the
facilitator's tools (move, cancel, edit a series, attendance), calendar files, and the member's
own attendance log (page, CSV, PDF).

Every page loads through the meetings policies' loaders: whoever is not an active member of the
group gets a 404. Facilitator tools answer 404 to members too (they are not advertised)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peerhaven.accounts.models import User
from peerhaven.core.policies import verified_required
from peerhaven.groups.forms_meetings import (
    AgendaItemForm,
    AttendanceForm,
    CancelForm,
    MoveForm,
    RsvpForm,
    ScheduleForm,
    SeriesEditForm,
    SlotForm,
    VolunteerForm,
)
from peerhaven.groups.meetings_exports import (
    attendance_csv,
    attendance_pdf,
    meeting_ics,
    series_ics,
)
from peerhaven.groups.meetings_recurrence import WEEKLY, describe_rule, form_choices_for
from peerhaven.groups.models.groups import CasePresentation, Group
from peerhaven.groups.models.meetings import AgendaItemKind, Meeting
from peerhaven.groups.policies.groups import (
    can_take_part,
    group_inside_get_for_user,
    has_current_agreement,
)
from peerhaven.groups.policies.meetings import (
    agenda_item_get_for_user,
    can_acknowledge_agreement,
    can_change_meeting,
    can_download_own_attendance,
    can_edit_series,
    can_manage_agenda,
    can_rsvp,
    can_schedule_meetings,
    can_see_rsvp_counts,
    can_take_attendance,
    can_view_meetings,
    can_volunteer_to_present,
    can_withdraw_agenda_item,
    has_acknowledged,
    meeting_get_for_user,
    series_get_for_user,
)
from peerhaven.groups.selectors.meetings import (
    attendance_log,
    attendance_sheet,
    group_live_series,
    group_past_meetings,
    group_upcoming_meetings,
    meeting_agenda,
    meeting_members,
    meeting_room_url,
    my_attendance,
    my_rsvp,
    my_upcoming_meetings,
    rsvp_counts,
)
from peerhaven.groups.services.meetings import (
    AttendanceEntry,
    agenda_item_add,
    agenda_item_move,
    agenda_item_remove,
    agenda_item_slot,
    agenda_volunteer,
    agreement_acknowledge,
    attendance_record,
    meeting_cancel,
    meeting_create,
    meeting_move,
    rsvp_set,
    series_create,
    series_edit_from,
)


def _member(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # members-only views: the middleware's signed-in check ran
    return user


def _apply_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in field_messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _group_for_meetings(request: HttpRequest, pk: int) -> Group:
    group = group_inside_get_for_user(_member(request), pk)
    if not can_view_meetings(_member(request), group):
        raise Http404
    return group


def _nav_context(group: Group, member: User) -> dict[str, Any]:
    """What the partner's group navigation (groups/groups/_nav.html) expects."""
    return {
        "group": group,
        "section": "meetings",
        "meeting_links": {"meeting_list": reverse("groups:meeting_list", kwargs={"pk": group.pk})},
        "needs_agreement": not has_current_agreement(member, group),
    }


# --- lists ------------------------------------------------------------------------------------------
@verified_required
def meeting_list(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    group = _group_for_meetings(request, pk)
    facilitator = can_schedule_meetings(member, group)
    series = list(group_live_series(group))
    return render(request, "groups/meetings/meeting_list.html", {
        **_nav_context(group, member),
        "upcoming": [(meeting, my_rsvp(meeting)) for meeting in group_upcoming_meetings(group, member)],
        "past": [(meeting, my_rsvp(meeting)) for meeting in group_past_meetings(group, member)],
        "series": [(s, describe_rule(s.rule, until=s.until, count=s.count)) for s in series],
        "can_schedule": facilitator,
    })


@verified_required
def meeting_upcoming(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    return render(request, "groups/meetings/upcoming.html", {
        "meetings": [(meeting, my_rsvp(meeting)) for meeting in my_upcoming_meetings(member)],
    })


# --- scheduling -----------------------------------------------------------------------------------
@verified_required
@require_http_methods(["GET", "POST"])
def meeting_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    group = _group_for_meetings(request, pk)
    if not can_schedule_meetings(member, group):
        raise Http404
    initial = {"frequency": WEEKLY, "starts_on": timezone.localdate() + dt.timedelta(days=7),
               "start_time": dt.time(18, 0), "duration_minutes": 90}
    form = ScheduleForm(request.POST or None, initial=initial, time_zone=group.time_zone)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if "one_off_starts_at" in data:
                meeting = meeting_create(actor=member, group=group, starts_at=data["one_off_starts_at"],
                                         duration_minutes=data["duration_minutes"], title=data["title"],
                                         request=request)
                messages.success(request, _("The meeting is scheduled. Members are told."))
                return redirect("groups:meeting_detail", pk=meeting.pk)
            series_create(actor=member, group=group, plan=data["plan"], request=request)
            messages.success(request, _("The meetings are scheduled. Members are told."))
            return redirect("groups:meeting_list", pk=group.pk)
        except ValidationError as error:
            _apply_errors(form, error)
    return render(request, "groups/meetings/schedule.html", {
        **_nav_context(group, member), "form": form, "time_zone": group.time_zone,
    }, status=422 if form.errors else 200)


@verified_required
@require_http_methods(["GET", "POST"])
def meeting_series_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    series = series_get_for_user(member, pk)
    if not can_edit_series(member, series):
        raise Http404
    group = series.group
    today = timezone.now().astimezone(_zone(series.time_zone)).date()
    form = SeriesEditForm(request.POST or None, time_zone=series.time_zone, initial={
        "from_date": today, "start_time": series.start_time, "duration_minutes": series.duration_minutes,
        "ends": "never", **form_choices_for(series.rule),
    })
    if request.method == "POST" and form.is_valid():
        try:
            series_edit_from(actor=member, series=series, from_date=form.cleaned_data["from_date"],
                             plan=form.cleaned_data["plan"], request=request)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The schedule is changed from that date on. Members are told."))
            return redirect("groups:meeting_list", pk=group.pk)
    return render(request, "groups/meetings/series_edit.html", {
        **_nav_context(group, member), "form": form, "series": series,
        "description": describe_rule(series.rule, until=series.until, count=series.count),
    }, status=422 if form.errors else 200)


def _zone(name: str) -> Any:
    import zoneinfo

    return zoneinfo.ZoneInfo(name)


# --- one meeting --------------------------------------------------------------------------------------
def _presentations(group: Group, *, author: User | None = None) -> list[CasePresentation]:
    presentations = CasePresentation.objects.filter(group=group, hidden_at__isnull=True)
    if author is not None:
        presentations = presentations.filter(author=author)
    return list(presentations.order_by("-created_at", "-pk")[:50])


def _detail_context(request: HttpRequest, meeting: Meeting, **extra: Any) -> dict[str, Any]:
    member = _member(request)
    group = meeting.group
    facilitator = can_schedule_meetings(member, group)
    acknowledged = has_acknowledged(member, meeting)
    manage_agenda = can_manage_agenda(member, meeting)
    members = meeting_members(meeting) if manage_agenda else []
    context: dict[str, Any] = {
        **_nav_context(group, member),
        "meeting": meeting,
        "is_facilitator": facilitator,
        "my_rsvp": next(iter(m.response for m in meeting.rsvps.filter(member=member)), ""),
        "rsvp_choices": RsvpForm.base_fields["response"].choices,  # type: ignore[attr-defined]
        "can_rsvp": can_rsvp(member, meeting),
        "counts": rsvp_counts(meeting) if can_see_rsvp_counts(member, meeting) else None,
        "acknowledged": acknowledged,
        "can_acknowledge": not acknowledged and can_acknowledge_agreement(member, meeting),
        "needs_group_agreement": not can_take_part(member, group),
        "room_url": meeting_room_url(meeting) if acknowledged and not meeting.is_cancelled else None,
        "agenda": meeting_agenda(meeting),
        "can_manage_agenda": manage_agenda,
        "can_volunteer": can_volunteer_to_present(member, meeting),
        "can_change": can_change_meeting(member, meeting),
        "can_take_attendance": can_take_attendance(member, meeting),
        "my_attendance": my_attendance(meeting, member),
        "agenda_form": AgendaItemForm(members=members, presentations=_presentations(group)) if manage_agenda else None,
        "volunteer_form": VolunteerForm(presentations=_presentations(group, author=member))
        if can_volunteer_to_present(member, meeting) else None,
        "slot_form": SlotForm(),
        "member_id": member.pk,
    }
    context.update(extra)
    return context


@verified_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for_user(_member(request), pk)
    return render(request, "groups/meetings/meeting_detail.html", _detail_context(request, meeting))


@verified_required
@require_POST
def meeting_rsvp(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    meeting = meeting_get_for_user(member, pk)
    form = RsvpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose going, maybe or not going."))
        return redirect("groups:meeting_detail", pk=pk)
    try:
        rsvp_set(actor=member, meeting=meeting, response=form.cleaned_data["response"], request=request)
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Your answer is saved."))
    return redirect("groups:meeting_detail", pk=pk)


@verified_required
@require_POST
def meeting_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    meeting = meeting_get_for_user(member, pk)
    try:
        agreement_acknowledge(actor=member, meeting=meeting, request=request)
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Thank you. You can enter the meeting's room."))
    return redirect("groups:meeting_detail", pk=pk)


@verified_required
@require_http_methods(["GET", "POST"])
def meeting_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    meeting = meeting_get_for_user(member, pk)
    if not can_change_meeting(member, meeting):
        raise Http404
    zone = _zone(meeting.series.time_zone if meeting.series else meeting.group.time_zone)
    local = meeting.starts_at.astimezone(zone)
    form = MoveForm(request.POST or None, time_zone=str(zone), initial={
        "date": local.date(), "start_time": local.time(), "duration_minutes": meeting.duration_minutes,
    })
    if request.method == "POST" and form.is_valid():
        try:
            meeting_move(actor=member, meeting=meeting, starts_at=form.starts_at(),
                         duration_minutes=form.cleaned_data["duration_minutes"],
                         notice=form.cleaned_data["notice"], request=request)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The meeting is moved. Members are told."))
            return redirect("groups:meeting_detail", pk=pk)
    return render(request, "groups/meetings/meeting_move.html", {
        **_nav_context(meeting.group, member), "meeting": meeting, "form": form,
    }, status=422 if form.errors else 200)


@verified_required
@require_http_methods(["GET", "POST"])
def meeting_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    meeting = meeting_get_for_user(member, pk)
    if not can_change_meeting(member, meeting):
        raise Http404
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_cancel(actor=member, meeting=meeting, notice=form.cleaned_data["notice"], request=request)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The meeting is cancelled. Members are told."))
            return redirect("groups:meeting_detail", pk=pk)
    return render(request, "groups/meetings/meeting_cancel.html", {
        **_nav_context(meeting.group, member), "meeting": meeting, "form": form,
    }, status=422 if form.errors else 200)


@verified_required
@require_http_methods(["GET", "POST"])
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    meeting = meeting_get_for_user(member, pk)
    if not can_take_attendance(member, meeting):
        raise Http404
    rows = attendance_sheet(meeting)
    form = AttendanceForm(request.POST or None, rows=rows, duration=meeting.duration_minutes)
    if request.method == "POST" and form.is_valid():
        entries = [AttendanceEntry(member_id=uid, status=status, minutes_attended=minutes)
                   for uid, status, minutes in form.entries()]
        try:
            attendance_record(actor=member, meeting=meeting, entries=entries, request=request)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Attendance is saved."))
            return redirect("groups:meeting_detail", pk=pk)
    fields = [(row, form[f"status_{row.membership.user.pk}"], form[f"minutes_{row.membership.user.pk}"]) for row in rows]
    return render(request, "groups/meetings/attendance.html", {
        **_nav_context(meeting.group, member), "meeting": meeting, "form": form, "fields": fields,
    }, status=422 if form.errors else 200)


# --- agenda and presenter queue ---------------------------------------------------------------------
def _agenda_refusal(request: HttpRequest, meeting: Meeting, form: Form, error: ValidationError) -> HttpResponse:
    _apply_errors(form, error)
    key = "agenda_form" if isinstance(form, AgendaItemForm) else "volunteer_form"
    return render(request, "groups/meetings/meeting_detail.html",
                  _detail_context(request, meeting, **{key: form}), status=422)


@verified_required
@require_POST
def meeting_agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    meeting = meeting_get_for_user(member, pk)
    if not can_manage_agenda(member, meeting):
        raise Http404
    members = meeting_members(meeting)
    form = AgendaItemForm(request.POST, members=members, presentations=_presentations(meeting.group))
    if not form.is_valid():
        return render(request, "groups/meetings/meeting_detail.html",
                      _detail_context(request, meeting, agenda_form=form), status=422)
    data = form.cleaned_data
    presenter = next((m.user for m in members if m.user_id == data["presenter"]), None)
    presentation = CasePresentation.objects.filter(pk=data["case_presentation"]).first() if data["case_presentation"] else None
    try:
        agenda_item_add(actor=member, meeting=meeting, title=data["title"], minutes=data["minutes"],
                        kind=AgendaItemKind.CASE if presentation or presenter else AgendaItemKind.TOPIC,
                        presenter=presenter, case_presentation=presentation, request=request)
    except ValidationError as error:
        return _agenda_refusal(request, meeting, form, error)
    messages.success(request, _("The item is on the agenda."))
    return redirect(reverse("groups:meeting_detail", kwargs={"pk": pk}) + "#agenda")


@verified_required
@require_POST
def meeting_agenda_volunteer(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    meeting = meeting_get_for_user(member, pk)
    if not can_volunteer_to_present(member, meeting):
        raise Http404
    form = VolunteerForm(request.POST, presentations=_presentations(meeting.group, author=member))
    if not form.is_valid():
        return render(request, "groups/meetings/meeting_detail.html",
                      _detail_context(request, meeting, volunteer_form=form), status=422)
    pk_presentation = form.cleaned_data["case_presentation"]
    presentation = CasePresentation.objects.filter(pk=pk_presentation).first() if pk_presentation else None
    try:
        agenda_volunteer(actor=member, meeting=meeting, title=form.cleaned_data["title"],
                         case_presentation=presentation, request=request)
    except ValidationError as error:
        return _agenda_refusal(request, meeting, form, error)
    messages.success(request, _("You are in the presenter queue. A facilitator will give you a slot."))
    return redirect(reverse("groups:meeting_detail", kwargs={"pk": pk}) + "#agenda")


@verified_required
@require_POST
def meeting_agenda_slot(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    member = _member(request)
    meeting = meeting_get_for_user(member, pk)
    if not can_manage_agenda(member, meeting):
        raise Http404
    item = agenda_item_get_for_user(member, meeting, item_pk)
    form = SlotForm(request.POST)
    if form.is_valid():
        agenda_item_slot(actor=member, item=item, minutes=form.cleaned_data["minutes"], request=request)
        messages.success(request, _("The slot is set."))
    else:
        messages.error(request, _("A slot lasts from 1 to 240 minutes."))
    return redirect(reverse("groups:meeting_detail", kwargs={"pk": pk}) + "#agenda")


@verified_required
@require_POST
def meeting_agenda_move(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    member = _member(request)
    meeting = meeting_get_for_user(member, pk)
    if not can_manage_agenda(member, meeting):
        raise Http404
    item = agenda_item_get_for_user(member, meeting, item_pk)
    try:
        agenda_item_move(actor=member, item=item, direction=request.POST.get("direction", ""), request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("groups:meeting_detail", kwargs={"pk": pk}) + "#agenda")


@verified_required
@require_POST
def meeting_agenda_remove(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    member = _member(request)
    meeting = meeting_get_for_user(member, pk)
    item = agenda_item_get_for_user(member, meeting, item_pk)
    if not can_withdraw_agenda_item(member, item):
        raise Http404
    agenda_item_remove(actor=member, item=item, request=request)
    messages.success(request, _("The item is removed."))
    return redirect(reverse("groups:meeting_detail", kwargs={"pk": pk}) + "#agenda")


# --- calendar files ------------------------------------------------------------------------------------
def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@verified_required
def meeting_ics_view(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for_user(_member(request), pk)
    link = request.build_absolute_uri(reverse("groups:meeting_detail", kwargs={"pk": meeting.pk}))
    return _ics_response(meeting_ics(meeting, link=link), f"peerhaven-meeting-{meeting.pk}.ics")


@verified_required
def meeting_series_ics_view(request: HttpRequest, pk: int) -> HttpResponse:
    series = series_get_for_user(_member(request), pk)
    link = request.build_absolute_uri(reverse("groups:meeting_list", kwargs={"pk": series.group_id}))
    meetings = list(Meeting.objects.filter(series=series).order_by("starts_at", "pk"))

    def _link(meeting: Meeting) -> str:
        return request.build_absolute_uri(reverse("groups:meeting_detail", kwargs={"pk": meeting.pk}))

    body = series_ics(series, link=link, meetings=meetings, meeting_link=_link)
    return _ics_response(body, f"peerhaven-meetings-{series.pk}.ics")


# --- the member's own attendance log ------------------------------------------------------------------
def _own_log_allowed(request: HttpRequest) -> User:
    member = _member(request)
    if not can_download_own_attendance(member):
        raise Http404
    return member


def meeting_attendance_log(request: HttpRequest) -> HttpResponse:
    member = _own_log_allowed(request)
    return render(request, "groups/meetings/attendance_log.html", {"log": attendance_log(member)})


def meeting_attendance_csv(request: HttpRequest) -> HttpResponse:
    member = _own_log_allowed(request)
    response = HttpResponse(attendance_csv(attendance_log(member)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="peerhaven-group-attendance.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


def meeting_attendance_pdf(request: HttpRequest) -> HttpResponse:
    from peerhaven.sitesettings.selectors import org_name

    member = _own_log_allowed(request)
    profile = getattr(member, "profile", None)
    name = (getattr(profile, "display_name", "") or member.public_name) if profile else member.public_name
    body = attendance_pdf(attendance_log(member), member_name=str(name), organisation=str(org_name(request)))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="peerhaven-group-attendance.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
