"""Reading the instance settings: cached across requests (invalidated when staff save), and
remembered on the request so a page asks once."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest

from peerhaven.sitesettings.models import SINGLETON_PK, InstanceSettings

CACHE_KEY = "sitesettings:instance:v1"
# Bounds how long another process with its own (local-memory) cache can show old settings; with
# Redis every process shares the cache and a save is seen at once.
CACHE_SECONDS = 60
_REQUEST_ATTR = "_peerhaven_instance_settings"


def instance_defaults() -> InstanceSettings:
    """The settings before staff first save them: from the environment."""
    from peerhaven.core.programmes import PROGRAMMES

    return InstanceSettings(
        pk=SINGLETON_PK,
        organisation_name=str(getattr(settings, "MFA_TOTP_ISSUER", None) or "Peerhaven"),
        primary_colour="#1f5f8b",
        accent_colour="#2f6b4f",
        contact_email=str(getattr(settings, "STAFF_CONTACT_EMAIL", None) or "staff@localhost"),
        default_time_zone=settings.TIME_ZONE,
        default_language=settings.LANGUAGE_CODE,
        enabled_programmes=[programme.slug for programme in PROGRAMMES],
        updated_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
    )


def instance_settings(request: HttpRequest | None = None) -> InstanceSettings:
    """The instance's settings, never None; at most one query, none when cached."""
    if request is not None:
        remembered = getattr(request, _REQUEST_ATTR, None)
        if remembered is not None:
            return remembered
    current = cache.get(CACHE_KEY)
    if current is None:
        current = InstanceSettings.objects.filter(pk=SINGLETON_PK).first() or instance_defaults()
        # Never cache what a transaction may still roll back (the save's own on_commit clears
        # the key; a read inside a transaction would otherwise cache uncommitted values).
        if not connection.in_atomic_block:
            cache.set(CACHE_KEY, current, CACHE_SECONDS)
    if request is not None:
        setattr(request, _REQUEST_ATTR, current)
    return current


def forget_cached_settings() -> None:
    cache.delete(CACHE_KEY)


def org_name(request: HttpRequest | None = None) -> str:
    return instance_settings(request).organisation_name


def default_language(request: HttpRequest | None = None) -> str:
    return instance_settings(request).default_language


def default_time_zone(request: HttpRequest | None = None) -> str:
    return instance_settings(request).default_time_zone


def enabled_programme_slugs(request: HttpRequest | None = None) -> frozenset[str]:
    return frozenset(instance_settings(request).enabled_programmes)
