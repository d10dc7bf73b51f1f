"""Routes for recurring meetings, RSVP, attendance and the CE log, agendas and presenter queues."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
