"""Permission-grid expectations for accounts' routes."""

from peerhaven.core.tests.grid_rules import REDIRECT, Route, gate_exempt, member

ROUTES = [
    Route("accounts:profile", member(200)),
    Route("accounts:settings", member(200)),
    # Members past the gate are sent on to where they were going.
    Route("accounts:secure_account", {**gate_exempt(REDIRECT), "registered_no_mfa": 200}),
    Route("accounts:terms_accept", gate_exempt(REDIRECT)),
]
