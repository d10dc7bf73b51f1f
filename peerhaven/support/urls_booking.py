"""Routes for supporters, availability, slots, bookings, calendar (.ics and feed)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from peerhaven.support.views import booking as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("supporters/<int:pk>/", views.supporter_detail, name="supporter_detail"),
    path("supporters/<int:pk>/book/", views.book, name="book"),
    path("sessions/", views.my_sessions, name="my_sessions"),
    path("sessions/<int:pk>/", views.session, name="session"),
    path("sessions/<int:pk>/invite.ics", views.session_ics, name="session_ics"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/reschedule/", views.session_reschedule, name="session_reschedule"),
    path("sessions/<int:pk>/decide/", views.session_decide, name="session_decide"),
    path("sessions/<int:pk>/outcome/", views.session_outcome, name="session_outcome"),
    path("offer/", views.supporter_apply, name="supporter_apply"),
    path("offer/profile/", views.supporter_edit, name="supporter_edit"),
    path("offer/availability/", views.availability, name="availability"),
    path("offer/requests/", views.supporter_requests_view, name="supporter_requests"),
    path("offer/pause/", views.supporter_pause, name="supporter_pause"),
    path("staff/supporters/", views.staff_supporters, name="staff_supporters"),
    path("staff/supporters/<int:pk>/", views.staff_supporter_decide, name="staff_supporter_decide"),
    path("staff/agreement/", views.staff_agreement, name="staff_agreement"),
    path("calendar/", views.calendar_feed, name="calendar_feed"),
    path("calendar/<str:token>/sessions.ics", views.calendar_feed_ics, name="calendar_feed_ics"),
]
