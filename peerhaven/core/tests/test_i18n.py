"""Languages: the Spanish catalogue is complete, consistent, compiles and is up to date with the
code; members and visitors choose their language; pages, dates and e-mails follow it."""

from __future__ import annotations

import datetime as dt
import gettext
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import polib  # type: ignore[import-untyped]  # no stubs published
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from peerhaven.accounts.models import Profile, User
from peerhaven.core.middleware import SESSION_LANGUAGE, SESSION_TZ
from peerhaven.notifications.emails import notification_email_build

ES_PO = Path(settings.LOCALE_PATHS[0]) / "es" / "LC_MESSAGES" / "django.po"
REPO = Path(settings.BASE_DIR)
# The project catalogue, plus one per app that keeps its own (peerhaven/<app>/locale/): makemessages
# sends an app's strings to the nearest locale directory above them.
CATALOGUES = [ES_PO, *sorted((REPO / "peerhaven").glob("*/locale/es/LC_MESSAGES/django.po"))]
# The same exclusions as `make makemessages`.
MAKEMESSAGES_IGNORES = (".venv", "var", "e2e", "bench", "node_modules")

# printf-style (%(name)s, %s, %d) and HTML tags must survive translation unchanged.
_PLACEHOLDER = re.compile(r"%\([a-zA-Z_]\w*\)[sdif]|%[sdif]")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _catalogue(path: Path = ES_PO) -> polib.POFile:
    return polib.pofile(str(path))



def _need_gettext_tools() -> None:
    missing = [tool for tool in ("msgfmt", "xgettext", "msgmerge") if shutil.which(tool) is None]
    if missing:
        pytest.fail(
            f"GNU gettext is needed ({', '.join(missing)} missing): run `make test`, which installs it, "
            "or `sudo apt-get install -y gettext`."
        )


# --- the catalogue itself --------------------------------------------------------------------
@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: str(path.relative_to(REPO)))
def test_it_translates_every_entry_of_the_spanish_catalogue(path: Path) -> None:
    catalogue = _catalogue(path)
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert len(catalogue) > 0
    assert not untranslated, f"Untranslated Spanish strings: {untranslated}"
    assert not fuzzy, f"Fuzzy (unchecked) Spanish strings: {fuzzy}"
    assert not catalogue.metadata_is_fuzzy, "The catalogue header is fuzzy: msgfmt would drop it"
    assert catalogue.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"


def test_it_keeps_every_placeholder_and_tag_in_the_translation() -> None:
    mismatched = []
    for entry in (entry for path in CATALOGUES for entry in _catalogue(path).translated_entries()):
        translations = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        for translated in translations:
            if sorted(_PLACEHOLDER.findall(entry.msgid)) != sorted(_PLACEHOLDER.findall(translated)):
                mismatched.append((entry.msgid, translated))
            if len(_TAG.findall(entry.msgid)) != len(_TAG.findall(translated)):
                mismatched.append((entry.msgid, translated))
    assert not mismatched, f"Placeholders or tags differ: {mismatched}"


# The catalogues address the member as "usted" (su, puede, le, elija). The informal "tú" shows in its pronouns
# and possessives, in second-person verb forms (puedes, tienes, aceptaste, recibirás, estáis) and in
# imperatives that differ from the usted ones (elige/elija, escribe/escriba), the last only at the start of a
# sentence, where the same word is not a third-person verb ("el grupo elige" is fine, "Elige una hora" is not).
_TU_WORDS = (
    "tú tu tus te ti contigo tuyo tuya tuyos tuyas os vosotros vosotras vuestro vuestra vuestros vuestras "
    # present indicative and subjunctive
    "eres estás has tienes puedes quieres debes necesitas sabes ves vas haces sigues recibes eliges escribes "
    "ofreces perteneces supervisas facilitas apoyas confirmas encuentras traes usas lees buscas prefieres "
    "piensas sientes vienes dices llevas trabajas puedas tengas quieras hayas seas estés necesites elijas "
    "incluyas indiques completes reanudes subas abras debas vayas hagas sepas veas "
    # imperfect and conditional
    "leías estabas tenías querías podías podrías querrías deberías tendrías "
    # imperative, alone or with pronouns attached
    "haz pon sal mantén suscríbete déjalo escríbelo léelo acéptala acéptalo cópiala edítalos elimínalos "
    "márcalo publícalo coméntalo exprésalo inténtalo ábrela añádela cuéntanos dale ponle pídelo revísalo "
    "guárdalo"
).split()
# Nouns and third-person forms that end like a tú preterite (-aste, -iste) or future (-rás).
_NOT_TU = "desgaste contraste existe consiste insiste persiste resiste asiste desiste subsiste triste chiste quiste atrás detrás"
_INFORMAL_WORD = re.compile(
    r"(?<![\w-])(?!(?:" + "|".join(_NOT_TU.split()) + r")(?!\w))(?:"
    + "|".join(sorted(_TU_WORDS, key=len, reverse=True))
    + r"|\w+(?:aste|iste|rás|áis|éis)|sois|vais)(?![\w-])",
    re.IGNORECASE,
)
_TU_IMPERATIVES = (
    "elige escribe añade usa indica revisa comprueba introduce deja guarda quita acepta confirma pulsa lee abre "
    "busca cambia describe invita pide responde retira sube vuelve publica evita inicia nombra archiva comparte "
    "mira intenta elimina borra selecciona completa escoge recuerda anota comenta contacta menciona"
).split()
_INFORMAL_IMPERATIVE = re.compile(
    r"(?:^|[.:;!?¿¡(]\s*)(?:" + "|".join(_TU_IMPERATIVES) + r")\s+\w", re.IGNORECASE
)


def _informal(text: str) -> list[str]:
    return [match.group(0) for pattern in (_INFORMAL_WORD, _INFORMAL_IMPERATIVE) for match in pattern.finditer(text)]


def test_the_informal_pattern_tells_tu_from_usted() -> None:
    for informal in ("Elige una hora.", "No puedes publicar aquí.", "Tu respuesta está guardada.",
                     "Te han invitado a un grupo", "Aceptaste este acuerdo.", "Recibirás una notificación.",
                     "Solo vosotros dos podéis verlo.", "Déjalo vacío.", "Gracias. Inténtalo de nuevo."):
        assert _informal(informal), informal
    for formal in ("Elija una hora.", "No puede publicar aquí.", "Su respuesta está guardada.",
                   "Le damos la bienvenida", "El grupo elige cómo se incorporan sus miembros.",
                   "Agotamiento y desgaste", "Volver atrás", "Solo lo ven los miembros.", "Consulta de casos",
                   "Déjelo vacío.", "Inténtelo de nuevo.", "Fechas más precisas que un año"):
        assert not _informal(formal), formal


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: str(path.relative_to(REPO)))
def test_it_addresses_the_member_as_usted_in_every_catalogue(path: Path) -> None:
    informal: list[tuple[str, str, list[str]]] = []
    for entry in _catalogue(path).translated_entries():
        translations = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        for translated in translations:
            if found := _informal(translated):
                informal.append((entry.msgid, translated, found))
    assert not informal, f"Informal (tú) Spanish; use the usted form: {informal}"


def test_it_compiles_the_catalogue(tmp_path: Path) -> None:
    _need_gettext_tools()
    for index, path in enumerate(CATALOGUES[1:]):
        result = subprocess.run(
            ["msgfmt", "--check", "-o", str(tmp_path / f"app{index}.mo"), str(path)], capture_output=True, text=True
        )
        assert result.returncode == 0, f"{path}: {result.stderr}"
    compiled = tmp_path / "django.mo"
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(compiled), str(ES_PO)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    spanish = gettext.GNUTranslations(compiled.open("rb"))
    assert spanish.gettext("Crisis resources") == "Recursos de crisis"
    assert spanish.gettext("Welcome, %(name)s") % {"name": "Ana"} == "Le damos la bienvenida, Ana"


def test_it_has_every_string_of_the_code_in_the_catalogue(tmp_path: Path) -> None:
    """A string added to a template or to Python without a Spanish translation fails here."""
    _need_gettext_tools()
    copy = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
    for part in ("config", "peerhaven"):
        shutil.copytree(REPO / part, copy / part, ignore=ignore)
    shutil.copy2(REPO / "manage.py", copy / "manage.py")
    env = {
        **os.environ,
        "PEERHAVEN_DEBUG": "1",
        "PEERHAVEN_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(copy),
    }
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-obsolete", "-v", "0"]
    command += [f"--ignore={pattern}" for pattern in MAKEMESSAGES_IGNORES]
    result = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]

    new = []
    fresh_catalogues = [copy / ES_PO.relative_to(REPO), *(copy / "peerhaven").glob("*/locale/es/LC_MESSAGES/django.po")]
    for fresh_path in fresh_catalogues:
        fresh = polib.pofile(str(fresh_path))
        path = REPO / fresh_path.relative_to(copy)
        if not path.exists():
            new += [f"{path.relative_to(REPO)} (not committed): {entry.msgid}" for entry in fresh]
            continue
        committed = {(entry.msgctxt, entry.msgid) for entry in _catalogue(path) if not entry.obsolete}
        new += [f"{path.relative_to(REPO)}: {entry.msgid}" for entry in fresh
                if (entry.msgctxt, entry.msgid) not in committed]
    assert not new, (
        "Strings in the code that the Spanish catalogues lack; run `make makemessages` and "
        f"translate them: {sorted(new)}"
    )


# --- choosing a language ---------------------------------------------------------------------
@pytest.mark.django_db
def test_it_lets_a_visitor_switch_to_spanish_with_the_footer_form() -> None:
    client = Client()
    page = client.get(reverse("core:services")).content.decode()
    assert '<html lang="en">' in page
    assert f'action="{reverse("set_language")}"' in page

    response = client.post(reverse("set_language"), {"language": "es", "next": reverse("core:services")})
    assert response.status_code == 302 and response["Location"] == reverse("core:services")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"

    page = client.get(reverse("core:services")).content.decode()
    assert '<html lang="es">' in page
    assert "Lo que ofrecemos" in page and "What we offer" not in page


@pytest.mark.django_db
def test_it_refuses_a_get_to_the_switcher() -> None:
    assert Client().get(reverse("set_language"), {"language": "es"}).status_code == 405


@pytest.mark.django_db
def test_it_keeps_a_members_choice_on_their_profile_for_every_browser(
    member_factory: Callable[..., User], client_for: Callable[..., Client]
) -> None:
    member = member_factory(verified=True)
    client = client_for(member)
    client.post(reverse("set_language"), {"language": "es", "next": reverse("core:home")})
    member.profile.refresh_from_db()
    assert member.profile.language == "es"
    assert client.session[SESSION_LANGUAGE] == "es"

    # Another browser, whose cookie and Accept-Language say English: the member's choice wins.
    elsewhere = client_for(member)
    elsewhere.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = elsewhere.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="es">' in page
    assert "Notificaciones recientes" in page


@pytest.mark.django_db
def test_it_ignores_an_unknown_language(
    member_factory: Callable[..., User], client_for: Callable[..., Client]
) -> None:
    member = member_factory(verified=True)
    client_for(member).post(reverse("set_language"), {"language": "xx", "next": "/home/"})
    member.profile.refresh_from_db()
    assert member.profile.language == ""


@pytest.mark.django_db
def test_it_records_the_browsers_language_and_time_zone_at_sign_up() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    form = client.get(reverse("account_signup")).content.decode()
    assert 'name="time_zone"' in form and "data-detect-time-zone" in form
    assert "js/time-zone.js" in form
    response = client.post(
        reverse("account_signup"),
        {
            "email": "nueva@example.org",
            "password1": "una contraseña bastante larga",
            "password2": "una contraseña bastante larga",
            "time_zone": "America/Mexico_City",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = Profile.objects.get(user__email="nueva@example.org")
    assert (profile.language, profile.time_zone) == ("es", "America/Mexico_City")


@pytest.mark.django_db
def test_it_keeps_the_default_zone_when_the_browser_sends_no_valid_one() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "a long enough password",
            "password2": "a long enough password",
            "time_zone": "Mars/Olympus_Mons",
        },
    )
    profile = Profile.objects.get(user__email="new@example.org")
    assert (profile.language, profile.time_zone) == ("en", "UTC")


@pytest.mark.django_db
def test_it_offers_the_language_on_the_settings_page(
    member_factory: Callable[..., User], client_for: Callable[..., Client]
) -> None:
    member = member_factory(verified=True)
    page = client_for(member).get(reverse("accounts:settings")).content.decode()
    assert 'id="language-settings"' in page and 'id="language-footer"' in page
    assert "Times are shown in your time zone, UTC." in page


# --- pages, dates and e-mails in Spanish ----------------------------------------------------
def _spanish_member(member_factory: Callable[..., User]) -> User:
    member = member_factory(verified=True)
    Profile.objects.filter(user=member).update(language="es")
    member.profile.refresh_from_db()
    return member


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "english", "spanish"),
    [
        ("core:home", "Recent notifications", "Notificaciones recientes"),
        ("accounts:profile", "Save profile", "Guardar perfil"),
        ("accounts:settings", "Sign-in and security", "Inicio de sesión y seguridad"),
        ("notifications:list", "Choose what we tell you about, and how", "Elija de qué le avisamos y cómo"),
        ("verification:my_licence", "Your verification", "Su verificación"),
        ("safety:crisis", "If you need help now", "Si necesita ayuda ahora"),
        ("core:services", "How confidentiality is protected", "Cómo se protege la confidencialidad"),
    ],
)
def test_it_shows_pages_in_the_members_language(
    member_factory: Callable[..., User],
    client_for: Callable[..., Client],
    url_name: str,
    english: str,
    spanish: str,
) -> None:
    member = _spanish_member(member_factory)
    response = client_for(member).get(reverse(url_name))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="es">' in page
    assert spanish in page
    assert english not in page
    # The shared layout too: navigation and footer.
    assert "Cerrar sesión" in page and "Sign out" not in page
    assert "El apoyo entre colegas no es terapia ni un servicio de crisis." in page


@pytest.mark.django_db
def test_it_formats_dates_for_the_members_language(
    member_factory: Callable[..., User], client_for: Callable[..., Client]
) -> None:
    member = _spanish_member(member_factory)
    User.objects.filter(pk=member.pk).update(verified_until=dt.date(2031, 3, 5))
    page = client_for(member).get(reverse("verification:my_licence")).content.decode()
    assert "5 de marzo de 2031" in page

    Profile.objects.filter(user=member).update(language="en")
    page = client_for(member).get(reverse("verification:my_licence")).content.decode()
    assert "March 5, 2031" in page


def test_it_formats_numbers_for_the_language() -> None:
    from django.utils.formats import number_format

    with translation.override("es"):
        assert number_format(1234.5, decimal_pos=1, force_grouping=True) == "1\xa0234,5"  # Spanish groups thousands with a (no-break) space
    with translation.override("en"):
        assert number_format(1234.5, decimal_pos=1, force_grouping=True) == "1,234.5"


@pytest.mark.django_db
def test_it_keeps_the_time_zone_in_the_session_at_log_in(
    member_factory: Callable[..., User], client_for: Callable[..., Client]
) -> None:
    member = member_factory(verified=True)
    Profile.objects.filter(user=member).update(language="es", time_zone="America/Bogota")
    client = client_for(member)
    assert client.session[SESSION_LANGUAGE] == "es"
    assert client.session[SESSION_TZ] == "America/Bogota"


def test_it_writes_notification_emails_in_the_recipients_language(db: object) -> None:
    spanish = notification_email_build(
        to="a@example.org", kind="licence.verified", link="/home/", unsubscribe_token="t", language="es"
    )
    assert spanish.subject.startswith("Hay algo nuevo para usted en ")
    assert "Su licencia está verificada" in spanish.body
    english = notification_email_build(
        to="a@example.org", kind="licence.verified", link="/home/", unsubscribe_token="t"
    )
    assert english.subject.startswith("There is something new for you on ")


def test_it_answers_api_errors_in_the_requested_language(db: object) -> None:
    response = Client().get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 401
    assert "Inicie sesión" in response.json()["detail"]
