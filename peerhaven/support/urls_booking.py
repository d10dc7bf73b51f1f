"""Routes for supporters, availability, slots, bookings, calendar (.ics and feed)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
