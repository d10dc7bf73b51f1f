"""The instance's own settings: one row (pk 1) that staff edit in the product."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerhaven.sitesettings.colours import validate_accessible_colour

SINGLETON_PK = 1


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Choose a time zone from the list."), code="time_zone")


def validate_programme_slugs(value: object) -> None:
    from peerhaven.core.programmes import PROGRAMMES_BY_SLUG

    if not isinstance(value, list) or any(slug not in PROGRAMMES_BY_SLUG for slug in value):
        raise ValidationError(_("Choose programmes from the list."), code="programmes")


class InstanceSettings(models.Model):
    """Organisation name, logo, colours, contact address, default time zone and language, and
    which programmes are switched on. Read through `selectors.instance_settings` (cached);
    written only by `services.instance_settings_update`. Without a row the defaults come from
    the environment (`selectors.instance_defaults`)."""

    organisation_name = models.CharField(_("organisation name"), max_length=80)
    # Re-encoded PNG or JPEG under the media root's site/ folder, served by views.logo.
    logo = models.FileField(_("logo"), upload_to="site/", max_length=200, blank=True)
    logo_content_type = models.CharField(max_length=20, blank=True)
    primary_colour = models.CharField(_("primary colour"), max_length=7, validators=[validate_accessible_colour])
    accent_colour = models.CharField(_("accent colour"), max_length=7, validators=[validate_accessible_colour])
    contact_email = models.EmailField(_("contact e-mail address"))
    default_time_zone = models.CharField(_("default time zone"), max_length=64, validators=[validate_time_zone])
    default_language = models.CharField(_("default language"), max_length=10, choices=settings.LANGUAGES)
    enabled_programmes = models.JSONField(_("programmes switched on"), default=list, blank=True,
                                          validators=[validate_programme_slugs])
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(pk=SINGLETON_PK), name="instance_settings_singleton")]
        verbose_name = _("instance settings")

    def __str__(self) -> str:
        return "instance settings"

    @property
    def version(self) -> str:
        """Changes whenever the settings do: busts browser caches of site.css and the logo."""
        return str(int(self.updated_at.timestamp()))
