"""Who may read and write in the forums: one function per action, used by the pages, the API,
notifications and the partner concern (moderation, search) alike; the loaders that answer 404 to
outsiders; and THE one function that says how a post's author is shown.

Anonymous posts: `post_author_label` answers "Verified clinician" for every viewer, moderators
and staff included, and `post_author_public` answers None. Nothing else may read `post.author`
for display.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from peerhaven.accounts.models import Role, RoleGrant
from peerhaven.core.policies import has_role, is_active_member, is_verified, user_roles
from peerhaven.core.prepared import PreparedRead
from peerhaven.core.privacy import FORMER_MEMBER
from peerhaven.forums.models.posting import (
    Audience,
    Community,
    CommunityMembership,
    Post,
    PostIdentity,
    Topic,
)


def anonymous_label() -> str:
    return _("Verified clinician")


# --- who is who ------------------------------------------------------------------------------
def is_forum_moderator(user: Any) -> bool:
    return has_role(user, Role.MODERATOR)


def post_author_label(post: Post, viewer: Any = None) -> str:
    """The name shown for a post's author, to `viewer` (who does not change the answer for an
    anonymous post: it is "Verified clinician" for everyone, the author and moderators included).
    Needs `author__profile` loaded to stay query-free."""
    if post.identity_mode == PostIdentity.ANONYMOUS:
        return anonymous_label()
    author = post.author
    if author is None:
        return author_label_from_columns(post.identity_mode, has_author=False)
    profile = getattr(author, "profile", None)
    return author_label_from_columns(
        post.identity_mode, has_author=True, erased=author.erased_at is not None, has_profile=profile is not None,
        pseudonym=getattr(profile, "pseudonym", ""), display_name=getattr(profile, "display_name", ""),
    )


def author_label_from_columns(identity_mode: str, *, has_author: bool, erased: bool = False,
                              has_profile: bool = False, pseudonym: str | None = "",
                              display_name: str | None = "") -> str:
    """`post_author_label` from plain columns (search rows are read without model instances):
    the one rule for what a post's author is shown as."""
    if identity_mode == PostIdentity.ANONYMOUS:
        return anonymous_label()
    if not has_author or erased:
        return str(FORMER_MEMBER)
    if not has_profile:
        return _("Member")
    if identity_mode == PostIdentity.DISPLAY_NAME and display_name:
        return str(display_name)
    return str(pseudonym or display_name or _("Member"))


def post_author_public(post: Post) -> Any:
    """The author as others may know them (for links, filters, blocks shown to others), or None
    for anonymous posts and erased authors."""
    if post.identity_mode == PostIdentity.ANONYMOUS:
        return None
    author = post.author
    if author is None or author.erased_at is not None:
        return None
    return author


def is_own_post(user: Any, post: Post) -> bool:
    """Whether `user` wrote `post`. For the author's own controls (edit, history) only: never
    render anything that would let a third party tell which posts are whose."""
    return bool(getattr(user, "is_authenticated", False)) and post.author_id == user.pk


# --- communities -----------------------------------------------------------------------------
def visible_communities(user: Any) -> QuerySet[Community]:
    """The communities `user` may read (a queryset: filter further, annotate, count)."""
    communities = Community.objects.filter(archived_at__isnull=True)
    if not is_active_member(user):
        return communities.none()
    if is_forum_moderator(user) or has_role(user, Role.STAFF):
        return communities
    if not is_verified(user):
        return communities.none()
    return communities.filter(_readable_by_member(user.pk))


def _readable_by_member(member_id: int) -> Q:
    """What a verified member who is neither moderator nor staff may read: the communities for
    all verified members, those for a role they hold and those they were invited into. Their
    roles and invitations are read by the statement itself (sub-queries on the member's id)."""
    return (
        Q(audience=Audience.VERIFIED)
        | Q(audience=Audience.ROLE, audience_role__in=RoleGrant.objects.filter(user_id=member_id).values("role"))
        | Q(
            audience=Audience.INVITATION,
            pk__in=CommunityMembership.objects.filter(member_id=member_id).values("community_id"),
        )
    )


# The common case of visible_community_ids (a verified member, neither moderator nor staff), the
# same rule compiled once per process: search reads it on every query, where building the ORM
# query cost more than running it.
_READABLE_COMMUNITY_IDS = PreparedRead(
    lambda member_id: Community.objects.filter(archived_at__isnull=True)
    .filter(_readable_by_member(member_id))
    .order_by("pk")
    .values_list("pk", flat=True),
    arity=1,
)


def visible_community_ids(user: Any) -> list[int]:
    """The ids of `visible_communities(user)`, in id order."""
    if not is_active_member(user) or is_forum_moderator(user) or has_role(user, Role.STAFF) or not is_verified(user):
        return list(visible_communities(user).order_by("pk").values_list("pk", flat=True))
    return [row[0] for row in _READABLE_COMMUNITY_IDS.rows(user.pk)]


def can_read_community(user: Any, community: Community) -> bool:
    if not is_active_member(user) or community.archived_at is not None:
        return False
    if is_forum_moderator(user) or has_role(user, Role.STAFF):
        return True
    if not is_verified(user):
        return False
    if community.audience == Audience.VERIFIED:
        return True
    if community.audience == Audience.ROLE:
        return bool(community.audience_role) and community.audience_role in user_roles(user)
    return community.memberships.filter(member=user).exists()


def can_post_in_community(user: Any, community: Community) -> bool:
    """Start a topic. Only verified clinicians write (moderators reading a community they are not
    in still may, to leave a moderator's note)."""
    return can_read_community(user, community) and (is_verified(user) or is_forum_moderator(user))


# --- topics and posts ------------------------------------------------------------------------
def can_read_topic(user: Any, topic: Topic) -> bool:
    if not can_read_community(user, topic.community):
        return False
    if topic.deleted_at is not None:
        return False
    if topic.hidden:
        return is_forum_moderator(user)
    return True


def can_post(user: Any, topic: Topic) -> bool:
    """Reply in a topic."""
    if not can_read_topic(user, topic) or not can_post_in_community(user, topic.community):
        return False
    return not topic.locked or is_forum_moderator(user)


def can_post_anonymously(user: Any) -> bool:
    """Anonymously-but-verified: the label is a promise that a verified clinician wrote it."""
    return is_verified(user)


def allowed_identity_modes(user: Any) -> list[str]:
    modes = [PostIdentity.PSEUDONYM.value, PostIdentity.DISPLAY_NAME.value]
    if can_post_anonymously(user):
        modes.append(PostIdentity.ANONYMOUS.value)
    return modes


def can_read_post(user: Any, post: Post) -> bool:
    if not can_read_topic(user, post.topic):
        return False
    if post.deleted_at is not None:
        return False
    return post.hidden_at is None or is_forum_moderator(user)


def can_edit_post(user: Any, post: Post) -> bool:
    if not can_read_post(user, post):
        return False
    if is_forum_moderator(user):
        return True
    return is_own_post(user, post) and post.hidden_at is None and not post.topic.locked


def can_view_post_history(user: Any, post: Post) -> bool:
    return can_read_post(user, post) and (is_own_post(user, post) or is_forum_moderator(user))


def can_react(user: Any, post: Post) -> bool:
    return can_read_post(user, post) and post.hidden_at is None and is_verified(user)


def can_bookmark(user: Any, post: Post) -> bool:
    return can_read_post(user, post)


# --- loaders (404 for outsiders) -------------------------------------------------------------
def community_get_for_user(user: Any, slug: str) -> Community:
    community = Community.objects.filter(slug=slug).first()
    if community is None or not can_read_community(user, community):
        raise Http404
    return community


# Every topic page starts here: compiled once per process (core/prepared.py).
_TOPIC_WITH_COMMUNITY = PreparedRead(
    lambda pk: Topic.objects.select_related("community").filter(pk=pk).order_by("pk")[:1], arity=1
)


def topic_get_for_user(user: Any, pk: int) -> Topic:
    if not 0 < int(pk) < 2**63:
        raise Http404  # no key that size: the database is not asked
    found = _TOPIC_WITH_COMMUNITY.instances(int(pk))
    topic = cast(Topic, found[0]) if found else None
    if topic is None or not can_read_topic(user, topic):
        raise Http404
    return topic


def post_get_for_user(user: Any, pk: int) -> Post:
    post = Post.objects.select_related("topic__community", "author__profile").filter(pk=pk).first()
    if post is None or not can_read_post(user, post):
        raise Http404
    return post
