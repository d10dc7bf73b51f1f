"""Permission-grid expectations for core's routes."""

from peerhaven.core.tests.grid_rules import Route, member, public, role

ROUTES = [
    # Signed-in members go to their home; visitors (and a suspended member, signed out) see the services page.
    Route("core:index", {**public(302), "anonymous": 200, "suspended": 200}),
    Route("core:services", public(200)),
    Route("core:privacy", public(200)),
    Route("core:contact", public(200)),
    Route("core:hello", public(200)),
    Route("core:healthz", public(503), note="503 until the worker has beaten once; see test_health"),
    Route("core:home", member(200)),
    Route("core:programme", member(200), make_kwargs=lambda owner: {"slug": "t4t"}),
    Route("core:passkey_required", {**member(403), "registered_no_mfa": 403}),
    Route("core:audit_log", role("staff")),
]
