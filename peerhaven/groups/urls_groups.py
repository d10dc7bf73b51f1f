"""Routes for groups, membership, agreements, threads and case presentations."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from peerhaven.groups.views import groups as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.directory, name="directory"),
    path("new/", views.group_create_view, name="group_create"),
    path("settings/", views.group_settings_view, name="settings"),
    path("<int:pk>/", views.group_detail, name="group_detail"),
    path("<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("<int:pk>/archive/", views.group_archive_view, name="group_archive"),
    path("<int:pk>/agreement/", views.agreement_view, name="agreement"),
    path("<int:pk>/agreement/edit/", views.agreement_edit, name="agreement_edit"),
    path("<int:pk>/join/", views.group_join, name="group_join"),
    path("<int:pk>/join/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("<int:pk>/invitation/decline/", views.invitation_decline_view, name="invitation_decline"),
    path("<int:pk>/leave/", views.group_leave, name="group_leave"),
    path("<int:pk>/members/", views.members, name="members"),
    path("<int:pk>/members/invite/", views.member_invite, name="member_invite"),
    path("<int:pk>/members/<int:membership_pk>/<slug:action>/", views.membership_decide, name="membership_decide"),
    path("<int:pk>/threads/", views.thread_list, name="thread_list"),
    path("<int:pk>/threads/new/", views.thread_create_view, name="thread_create"),
    path("<int:pk>/threads/<int:thread_pk>/", views.thread_detail, name="thread_detail"),
    path("<int:pk>/threads/<int:thread_pk>/reply/", views.thread_reply, name="thread_reply"),
    path("<int:pk>/threads/<int:thread_pk>/lock/", views.thread_lock_view, name="thread_lock"),
    path("<int:pk>/threads/<int:thread_pk>/posts/<int:post_pk>/hide/", views.post_hide_view, name="post_hide"),
    path("<int:pk>/threads/<int:thread_pk>/posts/<int:post_pk>/edit/", views.post_edit_view, name="post_edit"),
    path("<int:pk>/cases/", views.presentation_list, name="presentation_list"),
    path("<int:pk>/cases/new/", views.presentation_create_view, name="presentation_create"),
    path("<int:pk>/cases/<int:presentation_pk>/", views.presentation_detail, name="presentation_detail"),
    path("<int:pk>/cases/<int:presentation_pk>/comment/", views.presentation_comment, name="presentation_comment"),
    path("<int:pk>/cases/<int:presentation_pk>/hide/", views.presentation_hide_view, name="presentation_hide"),
    path("<int:pk>/cases/<int:presentation_pk>/comments/<int:comment_pk>/hide/", views.comment_hide_view,
         name="comment_hide"),
]
