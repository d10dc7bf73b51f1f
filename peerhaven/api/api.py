"""/api/v1: assembles each app's django-ninja router."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="Peerhaven API", version="1", urls_namespace="api-v1")
