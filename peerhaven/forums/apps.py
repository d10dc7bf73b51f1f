from django.apps import AppConfig


class ForumsConfig(AppConfig):
    name = "peerhaven.forums"
    label = "forums"

    def ready(self) -> None:
        self._ready_posting()
        self._ready_moderation()

    def _ready_posting(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from peerhaven.core import privacy
        from peerhaven.forums import privacy_posting
        from peerhaven.notifications import kinds

        # Fixed titles, never content or an author: the same for anonymous and named posts.
        kinds.register("forums.reply", _("A new reply in a topic you follow"), _("When someone replies in a topic you follow."))
        kinds.register("forums.topic", _("A new topic in a community you follow"), _("When someone starts a topic in a community you follow."))
        kinds.register("forums.mention", _("You were mentioned in the community"), _("When a member mentions your pseudonym in a post."))
        kinds.register("forums.invited", _("You were invited into a community"), _("When a moderator invites you into an invitation-only community."))
        privacy.register(privacy_posting.SECTION, exporter=privacy_posting.export_member, eraser=privacy_posting.erase_member)

    def _ready_moderation(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from peerhaven.core import privacy
        from peerhaven.forums import privacy_moderation
        from peerhaven.forums.policies.posting import can_read_post
        from peerhaven.forums.services import moderation as moderation_services
        from peerhaven.forums.services import posting as posting_services
        from peerhaven.notifications import kinds
        from peerhaven.safety.registry import register_reportable

        # Members flag posts through safety's reports: they land in the one moderation queue.
        register_reportable("forums.post", visible_to=can_read_post, author_id=lambda post: post.author_id)
        # Watched words: "block" refuses before anything is written, "queue" reports after.
        if moderation_services.watched_words_before_publish not in posting_services.BEFORE_PUBLISH:
            posting_services.BEFORE_PUBLISH.append(moderation_services.watched_words_before_publish)
        if moderation_services.watched_words_after_publish not in posting_services.AFTER_PUBLISH:
            posting_services.AFTER_PUBLISH.append(moderation_services.watched_words_after_publish)
        if moderation_services.watched_words_after_publish not in posting_services.AFTER_EDIT:
            posting_services.AFTER_EDIT.append(moderation_services.watched_words_after_publish)
        kinds.register("forums.warning", _("A moderator wrote to you about a post"), _("When a moderator warns you about one of your posts."))
        kinds.register("forums.relay", _("The moderators wrote about one of your anonymous posts"), _("Messages from the moderators about a post you wrote anonymously; they do not know it is you."))
        kinds.register("forums.relay_reply", _("An anonymous author answered you"), _("When the author of an anonymous post answers your message."))
        kinds.register("forums.reveal", _("Staff were allowed to learn who wrote one of your anonymous posts"), _("When two staff members approve revealing the author of an anonymous post for a risk to safety."))
        kinds.register("forums.resource_published", _("A resource you suggested is published"), _("When a moderator publishes a resource you suggested to the library."))
        kinds.register("forums.digest", _("Community digest"), _("The daily or weekly e-mail that says how much is new in your communities."))
        privacy.register(privacy_moderation.SECTION, exporter=privacy_moderation.export_member, eraser=privacy_moderation.erase_member)
