"""Routes for matching and conflict-of-interest exclusions, search, suggestions, calendar import, buddies, feedback."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from peerhaven.support.views import matching as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("find/", views.search, name="search"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("preferences/", views.preferences, name="preferences"),
    path("not-matched/", views.exclusions, name="exclusions"),
    path("not-matched/relationships/", views.relationship_add, name="relationship_add"),
    path("not-matched/relationships/<int:pk>/remove/", views.relationship_remove_view, name="relationship_remove"),
    path("not-matched/never/", views.never_match_add_view, name="never_match_add"),
    path("not-matched/never/<int:pk>/remove/", views.never_match_remove_view, name="never_match_remove"),
    path("sessions/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("buddy/", views.buddy, name="buddy"),
    path("buddy/debrief/", views.buddy_debrief, name="buddy_debrief"),
    path("calendar-import/", views.calendar_import, name="calendar_import"),
    path("calendar-import/refresh/", views.calendar_import_refresh, name="calendar_import_refresh"),
    path("staff/feedback/", views.feedback_aggregates_view, name="feedback_aggregates"),
]
