"""Routes for groups, membership, agreements, threads and case presentations."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
