"""Routes for recurring meetings, RSVP, attendance and the CE log, agendas and presenter queues."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from peerhaven.groups.views import meetings as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:pk>/meetings/", views.meeting_list, name="meeting_list"),
    path("<int:pk>/meetings/new/", views.meeting_create_view, name="meeting_create"),
    path("meetings/", views.meeting_upcoming, name="meeting_upcoming"),
    path("meetings/attendance/", views.meeting_attendance_log, name="meeting_attendance_log"),
    path("meetings/attendance.csv", views.meeting_attendance_csv, name="meeting_attendance_csv"),
    path("meetings/attendance.pdf", views.meeting_attendance_pdf, name="meeting_attendance_pdf"),
    path("meetings/series/<int:pk>/edit/", views.meeting_series_edit, name="meeting_series_edit"),
    path("meetings/series/<int:pk>/calendar.ics", views.meeting_series_ics_view, name="meeting_series_ics"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/calendar.ics", views.meeting_ics_view, name="meeting_ics"),
    path("meetings/<int:pk>/rsvp/", views.meeting_rsvp, name="meeting_rsvp"),
    path("meetings/<int:pk>/acknowledge/", views.meeting_acknowledge, name="meeting_acknowledge"),
    path("meetings/<int:pk>/move/", views.meeting_move_view, name="meeting_move"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel_view, name="meeting_cancel"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:pk>/agenda/", views.meeting_agenda_add, name="meeting_agenda_add"),
    path("meetings/<int:pk>/agenda/volunteer/", views.meeting_agenda_volunteer, name="meeting_agenda_volunteer"),
    path("meetings/<int:pk>/agenda/<int:item_pk>/slot/", views.meeting_agenda_slot, name="meeting_agenda_slot"),
    path("meetings/<int:pk>/agenda/<int:item_pk>/move/", views.meeting_agenda_move, name="meeting_agenda_move"),
    path("meetings/<int:pk>/agenda/<int:item_pk>/remove/", views.meeting_agenda_remove,
         name="meeting_agenda_remove"),
]
