"""API-grid expectations for forums's operations, one list per concern."""

from __future__ import annotations

from peerhaven.forums.tests.api_grid_moderation import OPERATIONS as MODERATION_OPERATIONS
from peerhaven.forums.tests.api_grid_posting import OPERATIONS as POSTING_OPERATIONS

OPERATIONS = [*POSTING_OPERATIONS, *MODERATION_OPERATIONS]
