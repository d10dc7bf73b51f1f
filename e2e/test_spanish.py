"""A member switches to Spanish with the footer's language switcher and every page of the journey
is in Spanish, also in a fresh browser after signing in again (the choice lives on the profile).
The sign-up recorded the browser's time zone. Every page is checked with axe (e2e/browsing.py)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.urls import reverse
from playwright.sync_api import Page, expect

from e2e.browsing import CheckedBrowsing
from e2e.server import LiveServer
from e2e.test_journey import follow, sign_in, sign_up_and_secure, submit

# Each page of the journey: the link that leads there, its path, English phrases that must be
# gone and their Spanish translations that must be there.
JOURNEY: list[tuple[str, str, list[str], list[str]]] = [
    ("Perfil", reverse("accounts:profile"),
     ["Your profile", "Save profile", "Time zone"], ["Su perfil", "Guardar perfil", "Zona horaria"]),
    ("Licencia", reverse("verification:my_licence"),
     ["Your licence", "Submit for review", "Licence number"],
     ["Su licencia", "Enviar para revisión", "Número de licencia"]),
    ("Configuración", reverse("accounts:settings"),
     ["Sign-in and security", "Your data", "Language and time zone"],
     ["Inicio de sesión y seguridad", "Sus datos", "Idioma y zona horaria"]),
    ("Notificaciones", reverse("notifications:list"),
     ["Choose what we tell you about, and how"], ["Elija de qué le avisamos y cómo"]),
    ("Recursos de crisis", reverse("safety:crisis"),
     ["If you need help now"], ["Si necesita ayuda ahora"]),
    ("Lo que ofrecemos", reverse("core:services"),
     ["How confidentiality is protected"], ["Cómo se protege la confidencialidad"]),
    ("Inicio", reverse("core:home"),
     ["Recent notifications", "Get verified to join the programmes"],
     ["Notificaciones recientes", "Verifique su licencia para unirse a los programas"]),
]
# The shared layout (navigation and footer), on every page.
LAYOUT_ENGLISH = ["Sign out", "Notifications", "Settings", "Peer support is not therapy"]
LAYOUT_SPANISH = ["Cerrar sesión", "Notificaciones", "Configuración", "El apoyo entre colegas no es terapia"]


def assert_in_spanish(page: Page, english: list[str], spanish: list[str]) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "es")
    text = page.locator("body").inner_text()
    for phrase in [*english, *LAYOUT_ENGLISH]:
        assert phrase not in text, f"{page.url} still says {phrase!r}"
    for phrase in [*spanish, *LAYOUT_SPANISH]:
        assert phrase in text, f"{page.url} lacks {phrase!r}"


def walk_the_journey(person: CheckedBrowsing) -> None:
    page = person.page
    for link, path, english, spanish in JOURNEY:
        # By the start of its name: the notifications link also counts what is unread.
        person.act(page.get_by_role("link", name=re.compile(rf"^{re.escape(link)}\b")).first.click, expect_path=path)
        assert_in_spanish(page, english, spanish)


def test_it_shows_the_whole_journey_in_spanish_once_the_member_switches(
    open_browsing: Callable[[str], CheckedBrowsing], e2e_server: LiveServer
) -> None:
    member = open_browsing("desktop")
    page = member.page
    email = f"espanol-{uuid.uuid4().hex[:10]}@example.org"
    authenticator = sign_up_and_secure(member, e2e_server, email)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # Sign-up stored the browser's own time zone (static/js/time-zone.js).
    browser_zone = page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    member.act(follow(page, "Settings"), expect_path=reverse("accounts:settings"))
    expect(page.get_by_role("main")).to_contain_text(f"Times are shown in your time zone, {browser_zone}.")

    # The footer's switcher, back to the page the member was on.
    footer = page.get_by_role("contentinfo")
    footer.get_by_label("Language").select_option("es")
    member.act(footer.get_by_role("button", name="Change language").click, expect_path=reverse("accounts:settings"))
    assert_in_spanish(page, ["Sign-in and security"], ["Inicio de sesión y seguridad"])
    expect(page.get_by_role("contentinfo").get_by_label("Idioma")).to_have_value("es")
    walk_the_journey(member)

    # Signed out, the browser keeps the language (cookie); a fresh browser whose language is
    # English gets Spanish from the member's profile as soon as they sign in.
    member.act(submit(page, "Cerrar sesión"))
    expect(page.locator("html")).to_have_attribute("lang", "es")

    elsewhere = open_browsing("phone")
    sign_in(elsewhere, email, authenticator)
    assert_in_spanish(elsewhere.page, ["Recent notifications"], ["Notificaciones recientes"])
    walk_the_journey(elsewhere)
