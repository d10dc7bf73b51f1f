"""What a video room hands to a browser that may enter: a short-lived join token for the
signalling socket, the ICE servers (STUN, and TURN with coturn REST credentials), or, for rooms
larger than a mesh, the link to the configured Jitsi Meet room.

Nothing here is logged: tokens and TURN credentials are secrets of the member who asked.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.core import signing
from django.utils import timezone

from peerhaven.live.rooms import RoomSpec

JOIN_TOKEN_SALT = "peerhaven.live.room-join"
JOIN_TOKEN_MAX_AGE = dt.timedelta(seconds=60)
# A mesh carries this many people; a larger room must be `external` (Jitsi).
MESH_MAX_PARTICIPANTS = 8
# TURN credentials last until the room closes (coturn checks them on every allocation refresh),
# at least this long, and never longer than TURN_MAX_TTL.
TURN_MIN_TTL = dt.timedelta(hours=1)
TURN_MAX_TTL = dt.timedelta(hours=12)


class JoinTokenInvalid(Exception):
    """Bad signature, expired, or issued to someone else or for another room."""


def room_group(spec_key: str) -> str:
    # Channel-layer group names allow only ASCII letters, digits, '-', '_' and '.': hash the key.
    return "live.video." + hashlib.sha256(spec_key.encode()).hexdigest()[:40]


def room_socket_path(spec: RoomSpec) -> str:
    return f"/ws/rooms/{spec.kind}/{spec.ref}/"


# --- join tokens --------------------------------------------------------------------------------
def join_token_issue(*, user_id: int, spec: RoomSpec) -> str:
    return signing.dumps({"u": user_id, "r": spec.key}, salt=JOIN_TOKEN_SALT)


def join_token_check(token: Any, *, user_id: int, spec: RoomSpec) -> None:
    """Raise JoinTokenInvalid unless `token` was issued to `user_id` for this room within the
    last JOIN_TOKEN_MAX_AGE."""
    if not isinstance(token, str) or not token or len(token) > 400:
        raise JoinTokenInvalid
    try:
        claims = signing.loads(token, salt=JOIN_TOKEN_SALT, max_age=JOIN_TOKEN_MAX_AGE)
    except signing.BadSignature as error:  # SignatureExpired is a BadSignature
        raise JoinTokenInvalid from error
    if not isinstance(claims, dict) or claims.get("u") != user_id or claims.get("r") != spec.key:
        raise JoinTokenInvalid


# --- ICE servers ----------------------------------------------------------------------------------
def _opaque_member_id(user_id: int) -> str:
    # TURN servers log usernames: they get a per-instance pseudonym, never the member's id.
    digest = hmac.new(settings.SECRET_KEY.encode(), f"turn-user:{user_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:16]


def turn_credentials(*, user_id: int, expires_at: dt.datetime, secret: str) -> dict[str, str]:
    """coturn `use-auth-secret` (TURN REST API) credentials: username "<unix expiry>:<opaque id>",
    credential base64(HMAC-SHA1(secret, username))."""
    username = f"{int(expires_at.timestamp())}:{_opaque_member_id(user_id)}"
    credential = base64.b64encode(hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()).decode()
    return {"username": username, "credential": credential}


def ice_servers(*, user_id: int, spec: RoomSpec, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    now = now or timezone.now()
    servers: list[dict[str, Any]] = []
    if settings.VIDEO_STUN_URLS:
        servers.append({"urls": list(settings.VIDEO_STUN_URLS)})
    if settings.VIDEO_TURN_URLS and settings.VIDEO_TURN_SECRET:
        expires_at = min(max(spec.closes_at, now + TURN_MIN_TTL), now + TURN_MAX_TTL)
        servers.append({
            "urls": list(settings.VIDEO_TURN_URLS),
            **turn_credentials(user_id=user_id, expires_at=expires_at, secret=settings.VIDEO_TURN_SECRET),
        })
    return servers


def join_grant(user: Any, spec: RoomSpec) -> dict[str, Any]:
    """Everything the room page (or an API client) needs to open the signalling socket."""
    return {
        "token": join_token_issue(user_id=user.pk, spec=spec),
        "expires_in": int(JOIN_TOKEN_MAX_AGE.total_seconds()),
        "socket_path": room_socket_path(spec),
        "ice_servers": ice_servers(user_id=user.pk, spec=spec),
        "ice_transport_policy": "relay" if settings.VIDEO_ICE_RELAY_ONLY else "all",
    }


# --- external rooms (Jitsi Meet) --------------------------------------------------------------------
def external_room_name(spec: RoomSpec) -> str:
    # Unguessable and stable: whoever has no link cannot find the room by trying names.
    digest = hmac.new(settings.SECRET_KEY.encode(), f"jitsi-room:{spec.key}".encode(), hashlib.sha256)
    return "Peerhaven" + digest.hexdigest()[:40]


def external_room_url(spec: RoomSpec) -> str:
    return f"{settings.VIDEO_JITSI_BASE_URL}/{external_room_name(spec)}"


def external_rooms_enabled() -> bool:
    return bool(settings.VIDEO_JITSI_BASE_URL)


def room_recheck_push(spec_key: str) -> None:
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(room_group(spec_key), {"type": "video.recheck"})
