"""Staff console routes (all staff-only, passkey session) and the public invitation link."""

from __future__ import annotations

from django.urls import path

from peerhaven.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.index, name="index"),
    path("members/", views.members, name="members"),
    path("members/<uuid:public_id>/", views.member, name="member"),
    path("members/<uuid:public_id>/roles/", views.member_role_add, name="member_role_add"),
    path("members/<uuid:public_id>/roles/<slug:role>/remove/", views.member_role_remove, name="member_role_remove"),
    path("members/<uuid:public_id>/staff-request/", views.staff_grant_request, name="staff_grant_request"),
    path("members/<uuid:public_id>/suspend/", views.member_suspend, name="member_suspend"),
    path("members/<uuid:public_id>/reinstate/", views.member_reinstate, name="member_reinstate"),
    path("members/<uuid:public_id>/mfa-reset/", views.mfa_reset_new, name="mfa_reset_new"),
    path("staff-requests/<int:pk>/", views.staff_grant_decide, name="staff_grant_decide"),
    path("mfa-resets/<int:pk>/", views.mfa_reset, name="mfa_reset"),
    path("membership/", views.membership, name="membership"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:pk>/revoke/", views.invitation_cancel, name="invitation_revoke"),
    path("invitations/<str:token>/accept/", views.invitation_accept, name="invitation_accept"),
]
