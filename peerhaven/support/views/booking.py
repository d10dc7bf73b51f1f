"""T4T booking pages: the programme's landing page, a supporter's page with the slot picker, the
booking form, a member's sessions and one session's page (.ics, cancel, reschedule, the
supporter's decisions), the supporter's own tools (application, profile, availability,
requests, pause), the staff's approval and agreement pages, and the private calendar feed."""

from __future__ import annotations

import datetime as dt
import secrets
import zoneinfo
from functools import lru_cache
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from peerhaven.accounts.models import Role, User
from peerhaven.core.policies import public, role_required, verified_required
from peerhaven.safety.phi_forms import PhiGuardedFormMixin
from peerhaven.safety.selectors import crisis_resources
from peerhaven.support.models.booking import (
    ALLOWED_SESSION_LENGTHS,
    NOTE_MAX_LENGTH,
    Booking,
    BookingStatus,
    Specialty,
    SupporterProfile,
    SupporterStatus,
    Weekday,
)
from peerhaven.support.policies.booking import (
    booking_get_for_user,
    can_book,
    can_cancel_booking,
    can_decide_booking,
    can_edit_availability,
    can_offer_support,
    can_record_outcome,
    can_reschedule_booking,
    is_late_cancellation,
    is_seeker,
    is_supporter_of,
    supporter_get_for_user,
)
from peerhaven.support.policies.matching import can_give_feedback
from peerhaven.support.selectors.booking import (
    active_feed_token,
    availability_of,
    current_agreement,
    feed_bookings,
    open_slots,
    sessions_of,
    slots_by_day,
    supporter_profile_of,
    supporter_requests,
    supporters_for_staff,
    upcoming_sessions_of,
)
from peerhaven.support.services import booking as services

ROOM_KIND = "support.booking"


def _member(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # members-only views: the middleware's signed-in check ran
    return user


def _find_url() -> str | None:
    """The matching concern's search page, once it exists."""
    for name in ("support:search", "support:suggestions", "support:find"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def _room_link(booking: Booking) -> str | None:
    if booking.status != BookingStatus.CONFIRMED:
        return None
    try:
        from peerhaven.live.rooms import room_url

        return room_url(ROOM_KIND, booking.pk)
    except NoReverseMatch:  # the live room page is not installed
        return None


def _crisis(request: HttpRequest) -> list[Any]:
    """Crisis resources beside the "peer support, not therapy" label: the viewer's country's,
    else those for anywhere (one query)."""
    profile = getattr(request.user, "profile", None)
    country = getattr(profile, "country", "") or ""
    local, others = crisis_resources(country=country)
    return local or [resource for resource in others if not resource.country][:3] or others[:3]


@lru_cache(maxsize=1)
def _zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name or name == "UTC"]


def _parse_start(value: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat((value or "").strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if timezone.is_naive(moment):
        return None
    return moment.astimezone(dt.UTC)


def _parse_length(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- forms ---------------------------------------------------------------------------------------
def _split_codes(value: str) -> list[str]:
    codes = []
    for part in (value or "").replace(";", ",").split(","):
        code = part.strip()
        if code and code not in codes:
            codes.append(code[:20])
    return codes[:20]


class SupporterProfileForm(forms.Form):
    approach = forms.CharField(label=gettext_lazy("Your approach, in a sentence"), max_length=200, required=False)
    bio = forms.CharField(label=gettext_lazy("Short bio (shown to verified members)"), max_length=2000, required=False,
                          widget=forms.Textarea(attrs={"rows": 4}))
    specialties = forms.MultipleChoiceField(label=gettext_lazy("What you can support with"), choices=Specialty.choices,
                                            required=False, widget=forms.CheckboxSelectMultiple)
    languages = forms.CharField(label=gettext_lazy("Languages"), max_length=200, required=False,
                                help_text=gettext_lazy("Language codes separated by commas, e.g. en, es."))
    jurisdictions = forms.CharField(label=gettext_lazy("Jurisdictions you are licensed in"), max_length=200,
                                    required=False, help_text=gettext_lazy("Separated by commas, e.g. US-NY, UK."))
    session_lengths = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Session lengths you offer"), coerce=int,
        choices=[(length, gettext_lazy("%(minutes)d minutes") % {"minutes": length}) for length in ALLOWED_SESSION_LENGTHS],
        widget=forms.CheckboxSelectMultiple,
    )
    time_zone = forms.ChoiceField(label=gettext_lazy("Your time zone"), choices=_zone_choices)
    max_per_week = forms.IntegerField(label=gettext_lazy("Most sessions per week"), min_value=1, max_value=40, initial=3)
    max_per_month = forms.IntegerField(label=gettext_lazy("Most sessions per month"), min_value=1, max_value=120,
                                       initial=8)
    requires_approval = forms.BooleanField(label=gettext_lazy("I approve each request myself"), required=False)
    min_notice_minutes = forms.IntegerField(label=gettext_lazy("Minimum notice (minutes)"), min_value=0,
                                            max_value=14 * 24 * 60, initial=24 * 60)
    buffer_minutes = forms.IntegerField(label=gettext_lazy("Break between sessions (minutes)"), min_value=0,
                                        max_value=120, initial=15)
    horizon_days = forms.IntegerField(label=gettext_lazy("How far ahead members may book (days)"), min_value=1,
                                      max_value=180, initial=60)
    ics_feed_url = forms.URLField(
        label=gettext_lazy("Your own calendar's private address (optional)"), required=False, max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy("We only read busy times from it, never titles. Kept encrypted."),
    )

    def clean_languages(self) -> list[str]:
        return _split_codes(self.cleaned_data.get("languages", ""))

    def clean_jurisdictions(self) -> list[str]:
        return _split_codes(self.cleaned_data.get("jurisdictions", ""))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("max_per_week") and cleaned.get("max_per_month") and cleaned["max_per_week"] > cleaned["max_per_month"]:
            self.add_error("max_per_month", _("The monthly limit must be at least the weekly one."))
        return cleaned

    @classmethod
    def initial_for(cls, supporter: SupporterProfile) -> dict[str, Any]:
        return {
            "approach": supporter.approach, "bio": supporter.bio, "specialties": supporter.specialties,
            "languages": ", ".join(supporter.languages), "jurisdictions": ", ".join(supporter.jurisdictions),
            "session_lengths": supporter.session_lengths, "time_zone": supporter.time_zone,
            "max_per_week": supporter.max_per_week, "max_per_month": supporter.max_per_month,
            "requires_approval": supporter.requires_approval, "min_notice_minutes": supporter.min_notice_minutes,
            "buffer_minutes": supporter.buffer_minutes, "horizon_days": supporter.horizon_days,
            "ics_feed_url": supporter.ics_feed_url,
        }


class ApplicationForm(SupporterProfileForm):
    accept_agreement = forms.BooleanField(label=gettext_lazy("I have read and accept the supporter agreement"))
    agreement_version = forms.IntegerField(widget=forms.HiddenInput)


class WindowForm(forms.Form):
    weekday = forms.TypedChoiceField(label=gettext_lazy("Day"), choices=Weekday.choices, coerce=int)
    start_time = forms.TimeField(label=gettext_lazy("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=gettext_lazy("Until"), widget=forms.TimeInput(attrs={"type": "time"}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("start_time") and cleaned.get("end_time") and cleaned["end_time"] <= cleaned["start_time"]:
            self.add_error("end_time", _("The window must end after it starts (on the same day)."))
        return cleaned


class OverrideForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    closed = forms.BooleanField(label=gettext_lazy("Closed all day"), required=False)
    start_time = forms.TimeField(label=gettext_lazy("From"), required=False,
                                 widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=gettext_lazy("Until"), required=False,
                               widget=forms.TimeInput(attrs={"type": "time"}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("closed"):
            start, end = cleaned.get("start_time"), cleaned.get("end_time")
            if not start or not end:
                self.add_error("start_time", _("Give the hours for that day, or mark it closed."))
            elif end <= start:
                self.add_error("end_time", _("The window must end after it starts (on the same day)."))
        return cleaned


class BlackoutForm(forms.Form):
    starts_on = forms.DateField(label=gettext_lazy("First day away"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=gettext_lazy("Last day away"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("starts_on") and cleaned.get("ends_on") and cleaned["ends_on"] < cleaned["starts_on"]:
            self.add_error("ends_on", _("The last day must not be before the first."))
        return cleaned


class BookingForm(PhiGuardedFormMixin, forms.Form):
    phi_fields = ("note",)
    phi_mode = "warn"

    start = forms.CharField(widget=forms.HiddenInput)
    length = forms.IntegerField(widget=forms.HiddenInput)
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=80)
    note = forms.CharField(
        label=gettext_lazy("A note to the supporter (optional)"), required=False, max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Only the supporter sees it; it is kept encrypted. Please leave out anything that "
                               "could identify a client."),
    )


class AgreementForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Agreement text"), max_length=20000,
                           widget=forms.Textarea(attrs={"rows": 16}))


# --- the programme's landing page ----------------------------------------------------------------
@verified_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    return render(request, "support/booking/home.html", {
        "upcoming": upcoming_sessions_of(member),
        "find_url": _find_url(),
        "supporter": supporter_profile_of(member),
        "can_offer": can_offer_support(member),
    })


# --- a supporter's page and booking --------------------------------------------------------------
def _selected_length(request: HttpRequest, supporter: SupporterProfile) -> int | None:
    length = _parse_length(request.GET.get("length"))
    if length in supporter.session_lengths:
        return length
    return supporter.session_lengths[0] if supporter.session_lengths else None


PICKER_DAYS = 14


def _picker_range(request: HttpRequest, supporter: SupporterProfile) -> tuple[dt.date, dt.datetime, dt.datetime]:
    """Two weeks of the slot picker at a time, from the viewer's `from` date (default today)."""
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    try:
        first = dt.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        first = today
    first = min(max(first, today), today + dt.timedelta(days=supporter.horizon_days))
    start = dt.datetime.combine(first, dt.time(), tzinfo=zone)
    return first, start, start + dt.timedelta(days=PICKER_DAYS)


def _picker_pages(first: dt.date, supporter: SupporterProfile) -> dict[str, dt.date | None]:
    today = timezone.localdate()
    later = first + dt.timedelta(days=PICKER_DAYS)
    return {
        "earlier": max(today, first - dt.timedelta(days=PICKER_DAYS)) if first > today else None,
        "later": later if later <= today + dt.timedelta(days=supporter.horizon_days) else None,
    }


def _supporter_page(
    request: HttpRequest, supporter: SupporterProfile, *, status: int = 200, conflict: str = ""
) -> HttpResponse:
    member = _member(request)
    length = _selected_length(request, supporter)
    bookable = can_book(member, supporter)
    first, start, end = _picker_range(request, supporter)
    slots = open_slots(supporter, viewer=member, lengths=[length], start=start, end=end) if bookable and length else []
    return render(request, "support/booking/supporter_detail.html", {
        "supporter": supporter,
        "specialty_labels": [Specialty(value).label for value in supporter.specialties if value in Specialty.values],
        "length": length,
        "bookable": bookable,
        "own": supporter.user_id == member.pk,
        "days": slots_by_day(slots, timezone.get_current_timezone()),
        "pages": _picker_pages(first, supporter),
        "conflict": conflict,
        "crisis": _crisis(request),
    }, status=status)


@verified_required
@require_GET
def supporter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    supporter = supporter_get_for_user(_member(request), pk)
    return _supporter_page(request, supporter)


@verified_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    supporter = supporter_get_for_user(member, pk)
    if not can_book(member, supporter):
        raise Http404
    if request.method == "POST":
        form = BookingForm(request.POST)
        if form.is_valid():
            starts_at = _parse_start(form.cleaned_data["start"])
            if starts_at is None:
                return _supporter_page(request, supporter, status=400, conflict=_("Choose a time from the list."))
            try:
                booking, _created = services.booking_create(
                    actor=member, supporter=supporter, starts_at=starts_at,
                    length_minutes=form.cleaned_data["length"], note=form.cleaned_data["note"],
                    idempotency_key=form.cleaned_data["request_key"], request=request,
                )
            except services.SlotUnavailable as taken:
                return _supporter_page(request, supporter, status=409, conflict=str(taken))
            except services.BookingRefused as refusal:
                return _supporter_page(request, supporter, status=400, conflict=str(refusal))
            except PermissionDenied as refusal:
                raise Http404 from refusal
            return redirect(f"{reverse('support:session', kwargs={'pk': booking.pk})}?booked=1")
        starts_at = _parse_start(str(form.data.get("start", "")))
        length = _parse_length(form.data.get("length"))
        return _book_page(request, supporter, form, starts_at, length, status=200)
    starts_at = _parse_start(request.GET.get("start", ""))
    length = _parse_length(request.GET.get("length"))
    if starts_at is None or length is None:
        return redirect("support:supporter_detail", pk=supporter.pk)
    hold = services.hold_place(actor=member, supporter=supporter, starts_at=starts_at, length_minutes=length)
    if hold is None:
        return _supporter_page(request, supporter, status=409,
                               conflict=_("That time is no longer free. Here are the times that are."))
    form = BookingForm(initial={"start": starts_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "length": length,
                                "request_key": secrets.token_urlsafe(24)})
    return _book_page(request, supporter, form, starts_at, length)


def _book_page(
    request: HttpRequest, supporter: SupporterProfile, form: BookingForm, starts_at: dt.datetime | None,
    length: int | None, *, status: int = 200,
) -> HttpResponse:
    ends_at = starts_at + dt.timedelta(minutes=length) if starts_at and length else None
    return render(request, "support/booking/book.html", {
        "supporter": supporter, "form": form, "starts_at": starts_at, "ends_at": ends_at, "length": length,
        "crisis": _crisis(request),
    }, status=status)


# --- sessions --------------------------------------------------------------------------------------
@verified_required
@require_GET
def my_sessions(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    upcoming, past = sessions_of(member)
    return render(request, "support/booking/my_sessions.html", {
        "upcoming": upcoming, "past": past, "member": member, "find_url": _find_url(),
    })


@verified_required
@require_GET
def session(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    booking = booking_get_for_user(member, pk)
    seeker_view = is_seeker(member, booking)
    counterpart = booking.supporter.user if seeker_view else booking.seeker
    return render(request, "support/booking/session.html", {
        "booking": booking,
        "seeker_view": seeker_view,
        "counterpart": counterpart,
        "supporter_zone": booking.supporter.time_zone,
        "room_link": _room_link(booking),
        "can_cancel": can_cancel_booking(member, booking),
        "can_reschedule": can_reschedule_booking(member, booking),
        "can_decide": can_decide_booking(member, booking),
        "can_record_outcome": can_record_outcome(member, booking),
        "can_give_feedback": can_give_feedback(member, booking),
        "just_booked": request.GET.get("booked") == "1",
        "crisis": _crisis(request),
    })


def _ics_calendar(bookings: list[Booking], request: HttpRequest, *, name: str) -> bytes:
    """Neutral entries only: "Peerhaven session", the time and the link. Never a name, a note or
    a reason, whoever reads the calendar."""
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Peerhaven//T4T sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for booking in bookings:
        event = icalendar.Event()
        link = request.build_absolute_uri(reverse("support:session", kwargs={"pk": booking.pk}))
        event.add("uid", f"support-booking-{booking.pk}@{request.get_host().split(':')[0]}")
        event.add("summary", str(_("Peerhaven session")))
        event.add("dtstart", booking.starts_at.astimezone(dt.UTC))
        event.add("dtend", booking.ends_at.astimezone(dt.UTC))
        event.add("dtstamp", booking.updated_at.astimezone(dt.UTC))
        event.add("url", link)
        event.add("description", link)
        event.add("status", "CANCELLED" if booking.status in (BookingStatus.CANCELLED, BookingStatus.DECLINED)
                  else "CONFIRMED" if booking.status != BookingStatus.REQUESTED else "TENTATIVE")
        event.add("class", "PRIVATE")
        calendar.add_component(event)
    return bytes(calendar.to_ical())


@verified_required
@require_GET
def session_ics(request: HttpRequest, pk: int) -> HttpResponse:
    booking = booking_get_for_user(_member(request), pk)
    response = HttpResponse(_ics_calendar([booking], request, name=_("Peerhaven session")),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="peerhaven-session-{booking.pk}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


@verified_required
@require_http_methods(["GET", "POST"])
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    booking = booking_get_for_user(member, pk)
    if not can_cancel_booking(member, booking):
        messages.error(request, _("This session can no longer be cancelled."))
        return redirect("support:session", pk=booking.pk)
    if request.method == "POST":
        try:
            services.booking_cancel(actor=member, booking=booking, request=request)
        except PermissionDenied as refusal:
            messages.error(request, str(refusal))
            return redirect("support:session", pk=booking.pk)
        messages.success(request, _("The session is cancelled. The other participant has been told."))
        return redirect("support:my_sessions")
    return render(request, "support/booking/cancel.html", {
        "booking": booking, "late": is_late_cancellation(booking),
    })


@verified_required
@require_http_methods(["GET", "POST"])
def session_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    booking = booking_get_for_user(member, pk)
    if not can_reschedule_booking(member, booking) or not can_book(member, booking.supporter):
        raise Http404
    conflict = ""
    status = 200
    if request.method == "POST":
        starts_at = _parse_start(request.POST.get("start", ""))
        length = _parse_length(request.POST.get("length")) or booking.length_minutes
        if starts_at is None:
            conflict, status = _("Choose a time from the list."), 400
        else:
            try:
                moved = services.booking_reschedule(actor=member, booking=booking, starts_at=starts_at,
                                                    length_minutes=length, request=request)
            except services.SlotUnavailable as taken:
                conflict, status = str(taken), 409
            except services.BookingRefused as refusal:
                conflict, status = str(refusal), 400
            except PermissionDenied as refusal:
                raise Http404 from refusal
            else:
                messages.success(request, _("The session is moved."))
                return redirect("support:session", pk=moved.pk)
    first, start, end = _picker_range(request, booking.supporter)
    slots = open_slots(booking.supporter, viewer=member, lengths=[booking.length_minutes], start=start, end=end,
                       ignore_booking_id=booking.pk)
    return render(request, "support/booking/reschedule.html", {
        "booking": booking, "days": slots_by_day(slots, timezone.get_current_timezone()), "conflict": conflict,
        "pages": _picker_pages(first, booking.supporter),
        "late": is_late_cancellation(booking),
    }, status=status)


@verified_required
@require_POST
def session_decide(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    booking = booking_get_for_user(member, pk)
    if not is_supporter_of(member, booking):
        raise Http404
    approve = request.POST.get("decision") == "approve"
    try:
        services.booking_decide(actor=member, booking=booking, approve=approve, request=request)
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The session is confirmed.") if approve else _("The request is declined."))
    return redirect("support:session", pk=booking.pk)


@verified_required
@require_POST
def session_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    booking = booking_get_for_user(member, pk)
    if not is_supporter_of(member, booking):
        raise Http404
    try:
        services.booking_record_outcome(actor=member, booking=booking, outcome=request.POST.get("outcome", ""),
                                        request=request)
    except (PermissionDenied, services.BookingRefused) as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Thank you. The session is recorded."))
    return redirect("support:session", pk=booking.pk)


# --- the supporter's own tools -------------------------------------------------------------------
@verified_required
@require_http_methods(["GET", "POST"])
def supporter_apply(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    existing = supporter_profile_of(member)
    if existing is not None and existing.status != SupporterStatus.RETIRED:
        return redirect("support:supporter_edit")
    agreement = current_agreement()
    profile = getattr(member, "profile", None)
    initial = {"time_zone": getattr(profile, "time_zone", "UTC") or "UTC", "session_lengths": [50],
               "agreement_version": agreement.version if agreement else 0}
    form = ApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and agreement is not None and form.is_valid():
        fields = {name: value for name, value in form.cleaned_data.items()
                  if name not in {"accept_agreement", "agreement_version"}}
        try:
            services.supporter_apply(actor=member, agreement_version=form.cleaned_data["agreement_version"],
                                     request=request, **fields)
        except ValidationError as invalid:
            form.add_error(None, invalid)
        else:
            messages.success(request, _("Thank you for applying. Staff will be in touch about the training."))
            return redirect("support:supporter_edit")
    return render(request, "support/booking/apply.html", {"form": form, "agreement": agreement},
                  status=400 if request.method == "POST" else 200)


def _own_supporter(request: HttpRequest) -> SupporterProfile | None:
    supporter = supporter_profile_of(_member(request))
    if not can_edit_availability(_member(request), supporter):
        return None
    return supporter


@verified_required
@require_http_methods(["GET", "POST"])
def supporter_edit(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    supporter = _own_supporter(request)
    if supporter is None:
        return redirect("support:supporter_apply")
    agreement = current_agreement()
    form = SupporterProfileForm(request.POST or None, initial=SupporterProfileForm.initial_for(supporter))
    if request.method == "POST" and request.POST.get("action") == "accept_agreement" and agreement is not None:
        services.supporter_accept_agreement(actor=member, supporter=supporter, agreement_version=agreement.version,
                                            request=request)
        messages.success(request, _("Thank you for accepting the current agreement."))
        return redirect("support:supporter_edit")
    if request.method == "POST" and form.is_valid():
        try:
            services.supporter_profile_update(actor=member, supporter=supporter, request=request, **form.cleaned_data)
        except ValidationError as invalid:
            form.add_error(None, invalid)
        else:
            messages.success(request, _("Your supporter profile is saved."))
            return redirect("support:supporter_edit")
    return render(request, "support/booking/supporter_edit.html", {
        "form": form, "supporter": supporter, "agreement": agreement,
        "agreement_current": agreement is not None and supporter.agreement_version == agreement.version,
    }, status=400 if request.method == "POST" else 200)


@verified_required
@require_http_methods(["GET", "POST"])
def availability(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    supporter = _own_supporter(request)
    if supporter is None:
        return redirect("support:supporter_apply")
    action = request.POST.get("action", "") if request.method == "POST" else ""
    window_form = WindowForm(request.POST if action == "window" else None, prefix="window")
    override_form = OverrideForm(request.POST if action == "override" else None, prefix="override")
    blackout_form = BlackoutForm(request.POST if action == "blackout" else None, prefix="blackout")
    status = 200
    if action:
        try:
            if action == "window" and window_form.is_valid():
                services.window_add(actor=member, supporter=supporter, request=request, **window_form.cleaned_data)
            elif action == "override" and override_form.is_valid():
                data = override_form.cleaned_data
                services.override_set(
                    actor=member, supporter=supporter, date=data["date"], closed=data["closed"], request=request,
                    windows=[] if data["closed"] else [(data["start_time"], data["end_time"])],
                )
            elif action == "blackout" and blackout_form.is_valid():
                data = blackout_form.cleaned_data
                zone = supporter.zone
                services.blackout_add(
                    actor=member, supporter=supporter, request=request,
                    starts_at=dt.datetime.combine(data["starts_on"], dt.time(), tzinfo=zone),
                    ends_at=dt.datetime.combine(data["ends_on"] + dt.timedelta(days=1), dt.time(), tzinfo=zone),
                )
            elif action == "remove":
                services.availability_remove(actor=member, supporter=supporter, kind=request.POST.get("kind", ""),
                                             pk=_parse_length(request.POST.get("pk")) or 0, request=request)
            else:
                status = 400
        except ValidationError as invalid:
            messages.error(request, " ".join(invalid.messages))
            status = 400
        if status == 200:
            messages.success(request, _("Your availability is saved."))
            return redirect("support:availability")
    context = {"supporter": supporter, "window_form": window_form, "override_form": override_form,
               "blackout_form": blackout_form, **availability_of(supporter)}
    return render(request, "support/booking/availability.html", context, status=status)


@verified_required
@require_POST
def supporter_pause(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    supporter = _own_supporter(request)
    if supporter is None:
        raise Http404
    paused = request.POST.get("paused") == "1"
    services.supporter_pause(actor=member, supporter=supporter, paused=paused, request=request)
    messages.success(request, _("You are paused: no new bookings until you resume.") if paused
                     else _("Welcome back: members can book you again."))
    return redirect("support:supporter_requests")


@verified_required
@require_GET
def supporter_requests_view(request: HttpRequest) -> HttpResponse:
    supporter = _own_supporter(request)
    if supporter is None:
        return redirect("support:supporter_apply")
    return render(request, "support/booking/supporter_requests.html", {
        "supporter": supporter, **supporter_requests(supporter),
    })


# --- staff ---------------------------------------------------------------------------------------
@role_required(Role.STAFF)
@require_GET
def staff_supporters(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in SupporterStatus.values:
        status = ""
    agreement = current_agreement()
    supporters = list(supporters_for_staff(status=status)[:200])
    return render(request, "support/booking/staff_supporters.html", {
        "supporters": supporters, "status": status, "statuses": SupporterStatus.choices,
        "agreement_version": agreement.version if agreement else None,
    })


@role_required(Role.STAFF)
@require_POST
def staff_supporter_decide(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    supporter = SupporterProfile.objects.filter(pk=pk).first()
    if supporter is None:
        raise Http404
    action = request.POST.get("action", "")
    try:
        if action == "training_done":
            services.supporter_set_training(actor=member, supporter=supporter, completed=True, request=request)
        elif action == "training_undo":
            services.supporter_set_training(actor=member, supporter=supporter, completed=False, request=request)
        elif action == "approve":
            services.supporter_approve(actor=member, supporter=supporter, request=request)
        elif action == "retire":
            services.supporter_retire(actor=member, supporter=supporter, request=request)
        else:
            messages.error(request, _("Choose an action."))
            return redirect("support:staff_supporters")
    except (ValidationError, services.SupporterNotReady) as refusal:
        messages.error(request, " ".join(getattr(refusal, "messages", [str(refusal)])))
    else:
        messages.success(request, _("Saved."))
    return redirect("support:staff_supporters")


@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def staff_agreement(request: HttpRequest) -> HttpResponse:
    agreement = current_agreement()
    form = AgreementForm(request.POST or None, initial={"body": agreement.body if agreement else ""})
    if request.method == "POST" and form.is_valid():
        services.agreement_publish(actor=_member(request), body=form.cleaned_data["body"], request=request)
        messages.success(request, _("The new version is published. Supporters will be asked to accept it."))
        return redirect("support:staff_agreement")
    return render(request, "support/booking/staff_agreement.html", {"form": form, "agreement": agreement})


# --- the private calendar feed -------------------------------------------------------------------
@verified_required
@require_http_methods(["GET", "POST"])
def calendar_feed(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    new_url = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.feed_token_revoke(actor=member, request=request)
            messages.success(request, _("The feed address no longer works."))
            return redirect("support:calendar_feed")
        raw = services.feed_token_create(actor=member, request=request)
        new_url = request.build_absolute_uri(reverse("support:calendar_feed_ics", kwargs={"token": raw}))
    return render(request, "support/booking/calendar_feed.html", {
        "token": active_feed_token(member), "new_url": new_url,
    })


@public
@ratelimit(key="ip", rate="120/h", block=True)
@require_GET
def calendar_feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed a calendar app subscribes to: the address is the secret (only its hash
    is stored). Unknown and revoked addresses get a 404."""
    user = services.feed_token_use(token)
    if user is None:
        raise Http404
    response = HttpResponse(_ics_calendar(list(feed_bookings(user)), request, name=_("Peerhaven sessions")),
                            content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response

