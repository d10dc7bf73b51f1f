"""What every page needs from the instance settings: the style sheet and logo addresses."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from peerhaven.sitesettings.selectors import instance_settings


def instance(request: HttpRequest) -> dict[str, Any]:
    current = instance_settings(request)
    version = current.version
    return {
        "site_css_url": f"{reverse('sitesettings:css')}?v={version}",
        "site_logo_url": f"{reverse('sitesettings:logo')}?v={version}" if current.logo else "",
        "site_contact_email": current.contact_email,
    }
