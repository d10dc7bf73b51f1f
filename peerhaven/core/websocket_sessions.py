"""Channels' session middleware for websockets, without its wrapper around every frame sent.

Channels' `SessionMiddleware` puts the session in the scope and wraps `send` so that a modified
session is saved, and its cookie set, when an HTTP response starts. A websocket never sends an
HTTP response start, so for a websocket the wrapper only ever forwarded the frame, after asking
the lazy session whether it was modified and empty: two look-ups through a lazy object on every
frame of every socket, which for a room's broadcast is one per member. `SocketSessionMiddleware`
resolves the session the same way and hands the server's own `send` to the consumer. It is used
only in the websocket branch of `config.asgi`; HTTP goes through Django's own middleware.
"""

from __future__ import annotations

from typing import Any

from channels.sessions import InstanceSessionWrapper, SessionMiddleware


class SocketSessionMiddleware(SessionMiddleware):
    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        if scope["type"] != "websocket":
            return await super().__call__(scope, receive, send)
        wrapper = InstanceSessionWrapper(scope, send)
        await wrapper.resolve_session()
        return await self.inner(wrapper.scope, receive, send)
