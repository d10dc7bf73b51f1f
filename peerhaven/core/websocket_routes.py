"""All websocket routes, collected from the apps that own consumers."""

from __future__ import annotations

from typing import Any

from django.urls import path

from peerhaven.live.consumers import MeetupRoomConsumer, VideoRoomConsumer

websocket_urlpatterns: list[Any] = [
    path("ws/live/meetups/<int:meetup_id>/", MeetupRoomConsumer.as_asgi()),
    path("ws/rooms/<str:kind>/<str:ref>/", VideoRoomConsumer.as_asgi()),
]
