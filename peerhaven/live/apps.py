from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "peerhaven.live"
    label = "live"

    def ready(self) -> None:
        from peerhaven.live.policies import can_view_chat_message
        from peerhaven.safety.registry import register_reportable

        register_reportable(
            "live.chatmessage", visible_to=can_view_chat_message, author_id=lambda message: message.author_id
        )
