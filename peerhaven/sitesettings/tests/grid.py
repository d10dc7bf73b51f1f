"""Permission-grid expectations for the instance settings' routes."""

from peerhaven.core.tests.grid_rules import Route, public, role

ROUTES = [
    Route("sitesettings:edit", role("staff")),
    Route("sitesettings:css", public(200)),
    # No logo is set in the grid's database; serving one is covered in test_instance_settings.
    Route("sitesettings:logo", public(404)),
]
