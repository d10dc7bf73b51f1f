"""Permission-grid expectations for safety's routes."""

from peerhaven.core.tests.grid_rules import Route, public

ROUTES = [
    Route("safety:crisis", public(200)),
]
