"""Licence verification routes: the member's licence page, and the verifiers' tools."""

from __future__ import annotations

from django.urls import path

from peerhaven.verification import views

app_name = "verification"

urlpatterns = [
    path("", views.my_licence, name="my_licence"),
    path("submissions/<int:pk>/reply/", views.reply, name="reply"),
    path("submissions/<int:pk>/document/", views.document, name="document"),
    path("queue/", views.queue, name="queue"),
    path("queue/<int:pk>/", views.review, name="review"),
]
