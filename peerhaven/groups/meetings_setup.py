"""The meetings concern's part of GroupsConfig.ready(): notification kinds, the video-room kind,
the busy source for T4T slots and the privacy section for RSVPs, acknowledgements, attendance and presenter-queue entries."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PRIVACY_SECTION = "group_meetings"
ROOM_KIND = "groups.meeting"


def register_meetings() -> None:
    from peerhaven.core import privacy
    from peerhaven.groups.selectors.meetings import export_member, meeting_room_spec, meetings_busy
    from peerhaven.groups.services.meetings import (
        NOTIFY_CANCELLED,
        NOTIFY_MOVED,
        NOTIFY_REMINDER,
        NOTIFY_SCHEDULED,
        erase_member,
    )
    from peerhaven.live.rooms import register_room_kind
    from peerhaven.notifications.kinds import register
    from peerhaven.support.selectors.booking import register_busy_source

    # Fixed titles: never the group's name, a time or a note (those are behind the link).
    register(NOTIFY_SCHEDULED, _("A group meeting was scheduled"), _("When a facilitator schedules meetings of one of your groups."))
    register(NOTIFY_MOVED, _("A group meeting was moved"), _("When a facilitator moves a meeting or changes the schedule of one of your groups."))
    register(NOTIFY_CANCELLED, _("A group meeting was cancelled"), _("When a facilitator cancels a meeting of one of your groups."))
    register(NOTIFY_REMINDER, _("A group meeting is coming up"), _("A day before a meeting of one of your groups."))
    register_room_kind(ROOM_KIND, meeting_room_spec)
    # A supporter's group meetings are commitments: no T4T session is offered over them.
    register_busy_source(meetings_busy)
    if PRIVACY_SECTION not in {section.name for section in privacy.sections()}:
        privacy.register(PRIVACY_SECTION, exporter=export_member, eraser=erase_member)
