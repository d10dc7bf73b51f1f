"""Live meetup pages: the list, scheduling, a meetup's page (register, join), its room, and the
staff's chat-retention setting. The room itself talks over the websocket (consumers.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peerhaven.accounts.models import Role, User
from peerhaven.core.policies import role_required, verified_required
from peerhaven.live.forms import LiveSettingsForm, MeetupForm
from peerhaven.live.models import ReactionKind
from peerhaven.live.policies import (
    can_hide_chat_message,
    can_join_meetup,
    can_moderate_room,
    can_register_for_meetup,
    can_schedule_meetup,
    may_enter_room,
    may_host_room,
    meetup_get_for_user,
    registration_for,
    room_spec_get_for_user,
)
from peerhaven.live.selectors import live_settings, seats_taken, upcoming_meetups, video_room_state
from peerhaven.live.services import MeetupFull, live_settings_update, meetup_create, meetup_register
from peerhaven.live.video import external_room_url, join_grant, room_socket_path
from peerhaven.safety.models import ReportReason


def _member(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # members-only views: the middleware signed-in check ran
    return user


@verified_required
def meetup_list(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    return render(request, "live/meetup_list.html", {
        "meetups": upcoming_meetups(member), "can_schedule": can_schedule_meetup(member),
    })


# Facilitators schedule without a passkey session (they hold no sensitive data through this).
@role_required(Role.STAFF, Role.FACILITATOR, passkey=False)
@require_http_methods(["GET", "POST"])
def meetup_create_view(request: HttpRequest) -> HttpResponse:
    form = MeetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meetup = meetup_create(actor=_member(request), request=request, **form.cleaned_data)
        messages.success(request, _("The meetup is scheduled."))
        return redirect("live:meetup_detail", pk=meetup.pk)
    return render(request, "live/meetup_form.html", {"form": form})


def _detail(request: HttpRequest, pk: int, *, status: int = 200, full: bool = False) -> HttpResponse:
    member = _member(request)
    meetup = meetup_get_for_user(member, pk)
    registration = registration_for(member, meetup)
    return render(request, "live/meetup_detail.html", {
        "meetup": meetup,
        "registration": registration,
        "seats_taken": seats_taken(meetup),
        "can_register": registration is None and can_register_for_meetup(member, meetup),
        "can_join": can_join_meetup(member, meetup, registration),
        "full": full,
    }, status=status)


@verified_required
def meetup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@verified_required
@require_POST
def meetup_register_view(request: HttpRequest, pk: int) -> HttpResponse:
    meetup = meetup_get_for_user(_member(request), pk)
    try:
        meetup_register(actor=_member(request), meetup=meetup, request=request)
    except MeetupFull:
        return _detail(request, pk, status=409, full=True)
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
        return redirect("live:meetup_detail", pk=pk)
    messages.success(request, _("You are registered. The room opens ten minutes before the start."))
    return redirect("live:meetup_detail", pk=pk)


@verified_required
def meetup_room(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    meetup = meetup_get_for_user(member, pk)
    registration = registration_for(member, meetup)
    if not can_join_meetup(member, meetup, registration):
        raise Http404  # not a participant, removed, or the room is closed
    return render(request, "live/meetup_room.html", {
        "meetup": meetup,
        "can_moderate": can_moderate_room(member, meetup),
        "can_hide": can_hide_chat_message(member, meetup),
        "reaction_kinds": ReactionKind.choices,
        "report_reasons": ReportReason.choices,
    })


@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def live_settings_view(request: HttpRequest) -> HttpResponse:
    form = LiveSettingsForm(request.POST or None, instance=live_settings())
    if request.method == "POST" and form.is_valid():
        live_settings_update(actor=_member(request), request=request,
                             chat_retention_days=form.cleaned_data["chat_retention_days"])
        messages.success(request, _("The chat retention setting is saved."))
        return redirect("live:settings")
    return render(request, "live/settings.html", {"form": form})


# --- video rooms --------------------------------------------------------------------------------
@verified_required
def room(request: HttpRequest, kind: str, ref: str) -> HttpResponse:
    """A video room for its participants. Outside the entry window (or after the host ended it,
    or once removed) the participant gets a kind page with a 200 saying when it opens or that it
    is over; everyone else a 404 (decision 0008)."""
    member = _member(request)
    spec = room_spec_get_for_user(member, kind, ref)
    now = timezone.now()
    state = video_room_state(spec, member)
    if not may_enter_room(member, spec, now) or state.ended or state.removed:
        return render(request, "live/room_closed.html", {
            "spec": spec,
            "not_yet": now < spec.opens_at and not spec.closed and not state.ended,
            "removed": state.removed,
        })
    if spec.external:
        return render(request, "live/room_external.html", {
            "spec": spec, "external_url": external_room_url(spec),
        })
    return render(request, "live/room.html", {
        "spec": spec,
        "is_host": may_host_room(member, spec, now),
        "join": join_grant(member, spec),
        "socket_path": room_socket_path(spec),
    })
