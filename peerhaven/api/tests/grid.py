"""Permission-grid expectations for the API app's HTML routes (the token pages). The /api/v1
operations have their own grid: test_api_grid.py."""

from typing import Any

from peerhaven.core.tests.grid_rules import REDIRECT, Route, member


def _own_token(owner: Any) -> dict[str, Any]:
    from peerhaven.api.models import TokenScope
    from peerhaven.api.services import token_create

    issued = token_create(actor=owner, name="grid", scopes=[TokenScope.PROFILE_READ], lifetime=None)
    return {"pk": issued.token.pk}


ROUTES = [
    Route("api:tokens", member(200)),
    # Someone else's token does not exist for you; the owner is sent back to the list.
    Route("api:token_revoke", member(404), make_kwargs=_own_token, owner_status=REDIRECT, method="post"),
]
