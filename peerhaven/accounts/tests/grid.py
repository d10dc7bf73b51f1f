"""Permission-grid expectations for accounts' routes."""

from peerhaven.core.tests.grid_rules import REDIRECT, Route, gate_exempt, member, public, verified

ROUTES = [
    Route("accounts:profile", member(200)),
    Route("accounts:settings", member(200)),
    # The language switcher: everyone may POST (test_i18n); a GET is refused.
    Route("set_language", public(405)),
    # Members past the gate are sent on to where they were going.
    Route("accounts:secure_account", {**gate_exempt(REDIRECT), "registered_no_mfa": 200}),
    Route("accounts:terms_accept", gate_exempt(REDIRECT)),
    # GET explains; the POST behind re-authentication is covered in test_privacy.
    Route("accounts:export", member(200)),
    Route("accounts:erase", member(200)),
    # Another verified member's card; blocks (404) and per-field visibility in test_member_card.
    Route(
        "accounts:member", verified(200),
        make_kwargs=lambda owner: {"public_id": owner.public_id}, owner_status=200,
    ),
]
