from django.urls import path

from peerhaven.accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("settings/", views.account_settings, name="settings"),
    path("secure/", views.secure_account, name="secure_account"),
    path("terms/", views.terms, name="terms_accept"),
    path("export/", views.export, name="export"),
    path("erase/", views.erase, name="erase"),
    path("members/<uuid:public_id>/", views.member, name="member"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<int:pk>/sign-out/", views.session_sign_out, name="session_sign_out"),
    path("sessions/sign-out-others/", views.sessions_sign_out_others, name="sessions_sign_out_others"),
]
