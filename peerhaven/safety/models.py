"""Safety: crisis resources, reports feeding the moderation queue, and blocks between members."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CrisisResource(models.Model):
    """A crisis line or service, edited by staff. An empty country means 'anywhere'."""

    country = models.CharField(_("country code"), max_length=2, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    text = models.CharField(_("text or chat"), max_length=120, blank=True)
    url = models.URLField(_("web address"), blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["country", "order", "name"]

    def __str__(self) -> str:
        return self.name
