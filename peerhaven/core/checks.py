"""System checks that guard settings a deployment must get right."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_private_media_outside_static(app_configs: Any, **kwargs: Any) -> list[Error]:
    private = str(settings.PRIVATE_MEDIA_ROOT)
    static_root = str(settings.STATIC_ROOT)
    if private.startswith(static_root):
        return [Error("PEERHAVEN_PRIVATE_MEDIA must not live under STATIC_ROOT.", id="peerhaven.E001")]
    return []
