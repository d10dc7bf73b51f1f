"""Permission-grid expectations for accounts' routes."""

import secrets
from typing import Any

from peerhaven.core.tests.grid_rules import REDIRECT, Route, gate_exempt, member, public, verified


def _own_session(owner: Any) -> dict[str, Any]:
    from allauth.usersessions.models import UserSession

    row = UserSession.objects.create(
        user=owner, ip="192.0.2.10", session_key=secrets.token_hex(16),
        user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    )
    return {"pk": row.pk}


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
    # My sessions: one's own devices; another member's session is a 404 (sign-out covered in
    # test_sessions).
    Route("accounts:sessions", member(200)),
    Route(
        "accounts:session_sign_out", member(404), method="post",
        make_kwargs=_own_session, owner_status=REDIRECT,
    ),
    Route("accounts:sessions_sign_out_others", member(REDIRECT), method="post"),
]
