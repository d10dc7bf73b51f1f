"""Permission-grid expectations for forums's routes, one list per concern."""

from __future__ import annotations

from peerhaven.forums.tests.grid_moderation import ROUTES as MODERATION_ROUTES
from peerhaven.forums.tests.grid_posting import ROUTES as POSTING_ROUTES

ROUTES = [*POSTING_ROUTES, *MODERATION_ROUTES]
