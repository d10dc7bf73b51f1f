from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "peerhaven.groups"
    label = "groups"

    def ready(self) -> None:
        from peerhaven.groups.policies import groups as group_policies
        from peerhaven.notifications.kinds import register
        from peerhaven.safety.registry import register_reportable

        # groups concern: notification kinds (fixed titles, never content) and reportable content.
        register("groups.join_request", _("Someone asked to join your group"), _("When a member asks to join a group you facilitate."))
        register("groups.request_approved", _("Your request to join a group was approved"), _("When a facilitator approves your request; accept the agreement to take part."))
        register("groups.request_declined", _("Your request to join a group was not approved"), _("When a facilitator declines your request."))
        register("groups.invited", _("You are invited to a group"), _("When a facilitator invites you to a group."))
        register("groups.member_joined", _("A member joined your group"), _("When a member joins a group you facilitate."), email_default=False)
        register("groups.removed", _("You are no longer in a group"), _("When a facilitator removes you from a group."))
        register("groups.agreement_changed", _("A group agreement changed"), _("When a group's agreement changes and needs your acceptance again."))
        register("groups.new_thread", _("A new thread in your group"), _("When a member starts a thread in one of your groups."), email_default=False)
        register("groups.thread_reply", _("A reply in a group thread"), _("When someone replies in a group thread you wrote in."), email_default=False)
        register("groups.case_presented", _("A new case presentation in your group"), _("When a member presents a case in one of your groups."))
        register("groups.case_comment", _("A comment on your case presentation"), _("When a member comments on your case presentation."), email_default=False)
        register_reportable("groups.post", visible_to=group_policies.can_view_post, author_id=lambda post: post.author_id)
        register_reportable("groups.casepresentation", visible_to=group_policies.can_view_presentation,
                            author_id=lambda presentation: presentation.author_id)
        from peerhaven.core import privacy
        from peerhaven.groups.selectors.groups import export_member
        from peerhaven.groups.services.groups import erase_member

        if "groups" not in {section.name for section in privacy.sections()}:
            privacy.register("groups", exporter=export_member, eraser=erase_member)

        # meetings concern: notification kinds, the "groups.meeting" video-room kind, privacy.
        from peerhaven.groups.meetings_setup import register_meetings

        register_meetings()
