from __future__ import annotations

from django.urls import path

from peerhaven.live import views

app_name = "live"

urlpatterns = [
    path("meetups/", views.meetup_list, name="meetup_list"),
    path("meetups/new/", views.meetup_create_view, name="meetup_create"),
    path("meetups/<int:pk>/", views.meetup_detail, name="meetup_detail"),
    path("meetups/<int:pk>/register/", views.meetup_register_view, name="meetup_register"),
    path("meetups/<int:pk>/room/", views.meetup_room, name="meetup_room"),
    path("rooms/<str:kind>/<str:ref>/", views.room, name="room"),
    path("settings/", views.live_settings_view, name="settings"),
]
