"""People in the live browser tests: verified members created through the services and signed
in through the real log-in pages, each in their own browser context, with the websockets their
pages open."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyotp
from playwright.sync_api import WebSocket

from e2e.browsing import CheckedBrowsing
from e2e.server import LiveServer
from e2e.test_journey import PASSWORD, Authenticator, sign_in


@dataclass
class Person:
    """A signed-in member in their own browser context, with the websockets their page opened."""

    email: str
    pseudonym: str
    browsing: CheckedBrowsing
    sockets: list[WebSocket] = field(default_factory=list)

    @property
    def page(self) -> Any:
        return self.browsing.page


def member(server: LiveServer, open_browsing: Callable[[str], CheckedBrowsing], name: str, *,
           viewport: str = "desktop") -> Person:
    """A verified member (created through the services), signed in through the real log-in pages."""
    tag = uuid.uuid4().hex[:6]
    email, pseudonym, secret = f"{name}-{tag}@example.org", f"{name.capitalize()} {tag}", pyotp.random_base32()
    server.run_script("member", email, PASSWORD, secret, pseudonym)
    browsing = open_browsing(viewport)
    person = Person(email=email, pseudonym=pseudonym, browsing=browsing)
    browsing.page.on("websocket", lambda socket: person.sockets.append(socket))
    sign_in(browsing, email, Authenticator(secret=secret))
    return person
