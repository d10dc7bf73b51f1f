"""Peerhaven settings: everything comes from the environment, read by small typed helpers
that fail loudly on a bad value (see docs/deployment.md for the full list)."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
import dj_email_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PEERHAVEN_VAR_DIR", BASE_DIR / "var"))


# --- typed environment helpers -------------------------------------------------------------
def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def _dev_secret(path: Path, make: str) -> str:
    """A secret generated once into var/ (mode 0600) for development and tests only."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(make)
    return path.read_text().strip()


DEBUG = env_bool("PEERHAVEN_DEBUG", False)
TESTING = "pytest" in sys.modules or env_bool("PEERHAVEN_TESTING", False)
DEVELOPMENT = DEBUG or TESTING

_secret = env_str("PEERHAVEN_SECRET_KEY")
if _secret is None:
    if not DEVELOPMENT:
        raise ImproperlyConfigured(
            "PEERHAVEN_SECRET_KEY is not set. Set it to a long random string in production "
            "(or PEERHAVEN_DEBUG=1 for development, which generates one under var/)."
        )
    _secret = _dev_secret(VAR_DIR / "secret_key", secrets.token_urlsafe(50))
elif len(_secret) < 32:
    raise ImproperlyConfigured("PEERHAVEN_SECRET_KEY must be at least 32 characters long.")
SECRET_KEY = _secret

# Field encryption keys: comma-separated Fernet keys, newest first. The key lives outside the
# database; rotate with `manage.py rotate_field_keys`.
_field_keys = env_list("PEERHAVEN_FIELD_KEYS", [])
if not _field_keys:
    if not DEVELOPMENT:
        raise ImproperlyConfigured(
            "PEERHAVEN_FIELD_KEYS is not set. Generate one with "
            '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.'
        )
    _field_keys = [_dev_secret(VAR_DIR / "field_key", Fernet.generate_key().decode())]
for _key in _field_keys:
    try:
        Fernet(_key.encode())
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "PEERHAVEN_FIELD_KEYS holds a value that is not a Fernet key (32 url-safe base64 bytes)."
        ) from exc
FIELD_ENCRYPTION_KEYS: list[str] = _field_keys

ALLOWED_HOSTS = env_list(
    "PEERHAVEN_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEVELOPMENT else []
)
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("PEERHAVEN_ALLOWED_HOSTS must name the host(s) this instance serves.")
SITE_URL = env_str("PEERHAVEN_SITE_URL", "http://localhost:8000") or "http://localhost:8000"
_parsed_site = urlparse(SITE_URL)
if _parsed_site.scheme not in {"http", "https"} or not _parsed_site.netloc:
    raise ImproperlyConfigured(f"PEERHAVEN_SITE_URL must be an http(s) URL, got {SITE_URL!r}")
CSRF_TRUSTED_ORIGINS = env_list(
    "PEERHAVEN_CSRF_TRUSTED_ORIGINS", [f"{_parsed_site.scheme}://{_parsed_site.netloc}"]
)

INSTALLED_APPS = [
    "daphne",
    "peerhaven.staff.admin_apps.PeerhavenAdminConfig",  # django.contrib.admin behind a passkey
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "csp",
    "axes",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "peerhaven.core",
    "peerhaven.accounts",
    "peerhaven.verification",
    "peerhaven.notifications",
    "peerhaven.safety",
    "peerhaven.api",
    "peerhaven.staff",
    "peerhaven.backups",
    "peerhaven.sitesettings",
    "peerhaven.live",
    "peerhaven.support",
    "peerhaven.groups",
    "peerhaven.forums",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "peerhaven.core.middleware.RequestLogContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Visitors who state none of our languages get the instance's default (see the class).
    "peerhaven.sitesettings.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The member's own language outranks the cookie and the browser (see the class).
    "peerhaven.core.middleware.MemberLanguageMiddleware",
    # Before SessionLifetimeMiddleware, which tells a member signed out for idleness why.
    "django.contrib.messages.middleware.MessageMiddleware",
    "peerhaven.core.middleware.SessionLifetimeMiddleware",
    "peerhaven.core.middleware.PeerhavenLoginRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "peerhaven.core.middleware.MemberGateMiddleware",
    "peerhaven.core.middleware.UserTimezoneMiddleware",
    "peerhaven.sitesettings.middleware.DefaultTimeZoneMiddleware",
    "axes.middleware.AxesMiddleware",
    # Turns a blocked @ratelimit into RATELIMIT_VIEW (429) instead of a bare 403.
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "config.urls"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "peerhaven" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "peerhaven.core.context_processors.site",
                "peerhaven.sitesettings.context_processors.instance",
                "peerhaven.notifications.context_processors.unread",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# --- database ------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'peerhaven.sqlite3'}")
assert DATABASE_URL is not None
try:
    # Persistent connections for the WSGI workers (deployment.md: 60 s); 0, a connection per
    # request, for the ASGI process, whose database threads do not end requests the same way.
    # A kept connection is checked before reuse, so a restarted database costs one error at most.
    _conn_max_age = env_int("PEERHAVEN_DB_CONN_MAX_AGE", 0)
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=_conn_max_age, conn_health_checks=_conn_max_age > 0)
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from exc
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, scheduler, browser-test server) share one file:
    # WAL lets readers run beside a writer, IMMEDIATE takes the write lock at BEGIN so two
    # writers queue instead of deadlocking, and the timeout bounds that queue.
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    if str(_db["NAME"]) != ":memory:":
        Path(str(_db["NAME"])).parent.mkdir(parents=True, exist_ok=True)
    _test_name = env_str("PEERHAVEN_TEST_DB_FILE")
    if _test_name:
        _db["TEST"] = {"NAME": _test_name}
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db.setdefault("OPTIONS", {})
else:
    raise ImproperlyConfigured("DATABASE_URL must point at SQLite or PostgreSQL.")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, channel layer, tasks -----------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and TESTING and _xdist_worker and urlparse(REDIS_URL).scheme in {"redis", "rediss"}:
    # Each parallel test worker gets its own Redis database: a test's cache.clear() is a FLUSHDB
    # and must not wipe another worker's cache entries or channel-layer messages.
    # Offset from the URL's own database number, so that two test runs given different bases
    # (redis://host/0 and redis://host/8) do not share databases either.
    _base_db = int(urlparse(REDIS_URL).path.strip("/") or "0")
    _worker_db = _base_db + int("".join(ch for ch in _xdist_worker if ch.isdigit()) or "0") + 1
    REDIS_URL = urlparse(REDIS_URL)._replace(path=f"/{_worker_db}").geturl()
if REDIS_URL:
    if urlparse(REDIS_URL).scheme not in {"redis", "rediss", "unix"}:
        # The scheme only: the URL may carry a password, and this message lands in deploy logs.
        raise ImproperlyConfigured(
            f"REDIS_URL must be a redis://, rediss:// or unix:// URL, got a {urlparse(REDIS_URL).scheme!r} URL"
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "peerhaven",
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 reads with a 5 s socket timeout by default, the length of channels-redis'
            # blocking pop: every socket idle for 5 s would die with 1011. Read longer than that.
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 15}], "prefix": "peerhaven"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "peerhaven.live.layers.InMemoryChannelLayer"}}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if TESTING and not env_bool("PEERHAVEN_REAL_TASKS", False):
    # Tests run tasks inline so their effects can be asserted; the worker itself has its own tests.
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- auth ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

ACCOUNT_ADAPTER = "peerhaven.accounts.adapter.AccountAdapter"
# Sign-up checks each address against the staff's membership policy.
ACCOUNT_FORMS = {"signup": "peerhaven.staff.forms.MembershipSignupForm"}
# Sign-up also records the visitor's language and browser time zone on the new profile.
ACCOUNT_SIGNUP_FORM_CLASS = "peerhaven.accounts.forms.SignupPreferencesForm"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
# One address per member; a change takes effect once the new address is confirmed. MFA accounts may
# hold the unconfirmed new address meanwhile (it cannot be used to sign in or reset until confirmed).
ACCOUNT_CHANGE_EMAIL = True
MFA_ALLOW_UNVERIFIED_EMAIL = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_RATE_LIMITS = {
    # No per-account part here: django-axes owns the per-account lock (a 429 with the kind page,
    # kept in the database every process shares). An allauth per-key limit at the same count
    # would answer first, with a form error, and the lock would never be seen.
    "login_failed": "10/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Peerhaven] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_PASSKEY_SIGNUP_ENABLED = False
MFA_TOTP_ISSUER = env_str("PEERHAVEN_ORG_NAME", "Peerhaven")
# My sessions (allauth.usersessions): a session is recorded at sign-in. Activity tracking is off:
# it writes a row on every request; "last seen" comes from the session's own once-a-minute stamp
# (SessionLifetimeMiddleware), so UserSessionsMiddleware (a no-op without tracking) is not used.
USERSESSIONS_TRACK_ACTIVITY = False
# WebAuthn needs a secure context; http://localhost counts as one in browsers, but allauth
# checks the origin scheme itself, so development over plain http must say so.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEVELOPMENT

def _axes_username(request: object, credentials: dict[str, object] | None) -> str | None:
    """The account a log-in attempt is for. allauth authenticates with {"email": ...}, not with
    the form's "login" field, so axes' default lookup would see None for every attempt and lock
    all accounts as one. Lower-cased, as allauth compares e-mails case-insensitively."""
    candidates: list[object] = []
    if credentials:
        candidates += [credentials.get("email"), credentials.get("login"), credentials.get("username")]
    post = getattr(request, "POST", None)
    if post is not None:
        candidates.append(post.get("login"))
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip().lower()
    return None


AXES_ENABLED = env_bool("PEERHAVEN_AXES_ENABLED", True)
AXES_USERNAME_CALLABLE = _axes_username
AXES_FAILURE_LIMIT = env_int("PEERHAVEN_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address", "user_agent"]]
AXES_USERNAME_FORM_FIELD = "login"
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# --- sessions and cookies ------------------------------------------------------------------
# Django's database sessions, whose row is read with one statement (peerhaven/core/sessions.py).
SESSION_ENGINE = "peerhaven.core.sessions"
SESSION_IDLE_TIMEOUT_SECONDS = env_int("PEERHAVEN_IDLE_TIMEOUT", 30 * 60)
SESSION_ABSOLUTE_TIMEOUT_SECONDS = env_int("PEERHAVEN_ABSOLUTE_TIMEOUT", 12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE = env_bool("PEERHAVEN_SECURE", not DEVELOPMENT)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and env_bool("PEERHAVEN_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- uploads -------------------------------------------------------------------------------
# Private uploads (licence documents) live outside static files and are served only through
# authorised views; MEDIA_URL is deliberately not routed.
PRIVATE_MEDIA_ROOT = Path(env_str("PEERHAVEN_PRIVATE_MEDIA", str(VAR_DIR / "private")) or "")
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": "/private-not-served/"},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEVELOPMENT
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o600
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024

# --- e-mail --------------------------------------------------------------------------------
EMAIL_URL = env_str("EMAIL_URL", "console://") or "console://"
try:
    _email = dj_email_url.parse(EMAIL_URL)
except Exception as exc:  # noqa: BLE001 - dj-email-url raises bare exceptions on bad URLs
    # The scheme only: the URL carries the SMTP password.
    raise ImproperlyConfigured(
        f"EMAIL_URL is not a mail URL (scheme {urlparse(EMAIL_URL).scheme!r})"
    ) from exc
if EMAIL_URL.startswith("console"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif EMAIL_URL.startswith("locmem"):
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
elif EMAIL_URL.startswith("file:"):
    # file:///abs/dir: one file per message (browser tests read confirmation links from it).
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = urlparse(EMAIL_URL).path
    if not EMAIL_FILE_PATH.startswith("/"):
        raise ImproperlyConfigured(f"EMAIL_URL=file:// needs an absolute path, got {EMAIL_URL!r}")
else:
    if "EMAIL_BACKEND" not in _email:
        raise ImproperlyConfigured(
            f"EMAIL_URL has an unknown scheme {urlparse(EMAIL_URL).scheme!r} (smtp://, smtps://, "
            "console://, locmem:// or file:///dir)"
        )
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"]
    EMAIL_PORT = _email["EMAIL_PORT"]
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
    EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
DEFAULT_FROM_EMAIL = env_str("PEERHAVEN_FROM_EMAIL", "Peerhaven <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
STAFF_CONTACT_EMAIL = env_str("PEERHAVEN_CONTACT_EMAIL", "staff@localhost")

# --- i18n, time ----------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "peerhaven" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- static --------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "peerhaven" / "static"]
if DEVELOPMENT:
    # WhiteNoise warns about a missing STATIC_ROOT on every start; development serves from finders.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# --- logging: no user content ever reaches a log line (peerhaven.core.logging) -------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub": {"()": "peerhaven.core.logging.ScrubUserContentFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["scrub"],
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["console"], "level": env_str("PEERHAVEN_LOG_LEVEL", "INFO")},
    "loggers": {
        # Replaces Django's defaults, whose mail_admins handler would e-mail request details.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.db.backends": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- ratelimits and the rest ---------------------------------------------------------------
RATELIMIT_VIEW = "peerhaven.core.views.ratelimited"
RATELIMIT_USE_CACHE = "default"
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"] if not REDIS_URL else []
REQUIRE_SERVICES = env_bool("PEERHAVEN_REQUIRE_SERVICES", False)
WORKER_HEARTBEAT_MAX_AGE_SECONDS = env_int("PEERHAVEN_WORKER_HEARTBEAT_MAX_AGE", 180)

# --- video rooms (docs/video-rooms.md) -----------------------------------------------------
# ICE servers handed to browsers with a room's join token. No STUN by default: only host
# candidates (a LAN or loopback); set a STUN and, for members behind strict NATs, a TURN server.
VIDEO_STUN_URLS = env_list("PEERHAVEN_STUN_URLS", [])
VIDEO_TURN_URLS = env_list("PEERHAVEN_TURN_URLS", [])
# coturn's `static-auth-secret` (use-auth-secret): credentials are derived per member and expire.
VIDEO_TURN_SECRET = env_str("PEERHAVEN_TURN_SECRET", "") or ""
# Relay every call through TURN, so that members never see each other's IP addresses.
VIDEO_ICE_RELAY_ONLY = env_bool("PEERHAVEN_ICE_RELAY_ONLY", False)
# Rooms larger than a mesh (meetups over 8 seats) go to this Jitsi Meet instance when it is set.
VIDEO_JITSI_BASE_URL = (env_str("PEERHAVEN_JITSI_BASE_URL", "") or "").rstrip("/")
for _ice_url in VIDEO_STUN_URLS:
    if not _ice_url.startswith(("stun:", "stuns:")):
        raise ImproperlyConfigured(f"PEERHAVEN_STUN_URLS entries start with stun: or stuns:, got {_ice_url!r}")
for _ice_url in VIDEO_TURN_URLS:
    if not _ice_url.startswith(("turn:", "turns:")):
        raise ImproperlyConfigured(f"PEERHAVEN_TURN_URLS entries start with turn: or turns:, got {_ice_url!r}")
if VIDEO_TURN_URLS and len(VIDEO_TURN_SECRET) < 16:
    raise ImproperlyConfigured("PEERHAVEN_TURN_URLS needs PEERHAVEN_TURN_SECRET (coturn's static-auth-secret, 16+ characters).")
if VIDEO_ICE_RELAY_ONLY and not VIDEO_TURN_URLS:
    raise ImproperlyConfigured("PEERHAVEN_ICE_RELAY_ONLY needs a TURN server (PEERHAVEN_TURN_URLS).")
if VIDEO_JITSI_BASE_URL and urlparse(VIDEO_JITSI_BASE_URL).scheme != "https":
    raise ImproperlyConfigured("PEERHAVEN_JITSI_BASE_URL must be an https URL.")
