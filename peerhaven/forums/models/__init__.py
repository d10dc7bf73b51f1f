"""forums: models, one module per concern (posting: communities, topics, posts, reactions, follows, bookmarks, drafts, identity modes; moderation: flags, the moderation queue, watched words, the anonymous relay and reveal, search, digests, the resource library)."""

# Django finds models through this package: each concern's module is imported here.
from peerhaven.forums.models.moderation import *  # noqa: F403
from peerhaven.forums.models.posting import *  # noqa: F403
