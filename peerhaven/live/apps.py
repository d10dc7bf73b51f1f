from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "peerhaven.live"
    label = "live"

    def ready(self) -> None:
        from peerhaven.core import privacy
        from peerhaven.live import privacy as live_privacy
        from peerhaven.live import receivers
        from peerhaven.live.policies import can_view_chat_message
        from peerhaven.live.rooms import register_room_kind
        from peerhaven.live.selectors import MEETUP_ROOM_KIND, meetup_room_spec, meetups_busy
        from peerhaven.safety.registry import register_reportable
        from peerhaven.support.selectors.booking import register_busy_source

        register_room_kind(MEETUP_ROOM_KIND, meetup_room_spec)
        receivers.connect()
        # Meetups a supporter hosts or joined are commitments: no T4T session is offered over them.
        register_busy_source(meetups_busy)
        privacy.register(live_privacy.SECTION, exporter=live_privacy.export_member, eraser=live_privacy.erase_member)
        register_reportable(
            "live.chatmessage", visible_to=can_view_chat_message, author_id=lambda message: message.author_id
        )
