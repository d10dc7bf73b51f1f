from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "peerhaven.support"
    label = "support"

    def ready(self) -> None:
        self._ready_booking()
        self._ready_matching()

    def _ready_matching(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from peerhaven.core import privacy
        from peerhaven.notifications.kinds import register
        from peerhaven.support.services import matching as matching_services

        # No content: not who asked, nor why.
        register("support.debrief_requested", _("A fellow supporter would like a debrief"), _("When the supporter who named you as their buddy asks for a debrief."))
        privacy.register(matching_services.PRIVACY_SECTION, exporter=matching_services.export_member, eraser=matching_services.erase_member)

    def _ready_booking(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from peerhaven.core import privacy
        from peerhaven.live.rooms import register_room_kind
        from peerhaven.notifications.kinds import register
        from peerhaven.support.selectors.booking import (
            booking_room_spec,
            register_busy_source,
            seeker_bookings_busy,
        )
        from peerhaven.support.services import booking as booking_services

        # Fixed titles: never a name, a time or a reason.
        register("support.booking_requested", _("A session request is waiting for you"), _("When a member asks for a peer support session with you."))
        register("support.booking_confirmed", _("A peer support session is confirmed"), _("When a session is booked or a request is accepted."))
        register("support.booking_declined", _("A session request was not accepted"), _("When a supporter cannot take a request."))
        register("support.booking_cancelled", _("A peer support session was cancelled"), _("When the other participant cancels a session."))
        register("support.booking_rescheduled", _("A peer support session was moved"), _("When a member moves a session with you."))
        register("support.session_reminder", _("A peer support session is coming up"), _("24 hours and 1 hour before a session."))
        register("support.supporter_approved", _("You can now offer peer support sessions"), _("When staff approve your application to offer sessions."))
        register_room_kind("support.booking", booking_room_spec)
        register_busy_source(seeker_bookings_busy)
        privacy.register("support_booking", exporter=booking_services.export_member, eraser=booking_services.erase_member)
