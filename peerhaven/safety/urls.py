from django.urls import path

from peerhaven.safety import views

app_name = "safety"

urlpatterns = [
    # Public, and gate-exempt by prefix (core.middleware): help must never sit behind a gate.
    path("crisis/", views.crisis, name="crisis"),
    # Staff tools live outside the /safety/crisis prefix so the member gate applies to them.
    path("manage/crisis-resources/", views.crisis_manage, name="crisis_manage"),
    path("manage/crisis-resources/new/", views.crisis_create, name="crisis_create"),
    path("manage/crisis-resources/<int:pk>/", views.crisis_edit, name="crisis_edit"),
    path("manage/crisis-resources/<int:pk>/deactivate/", views.crisis_deactivate, name="crisis_deactivate"),
    path("members/<uuid:public_id>/report/", views.report_member, name="report_member"),
    path("members/<uuid:public_id>/block/", views.block_member, name="block_member"),
    path("members/<uuid:public_id>/unblock/", views.unblock_member, name="unblock_member"),
    path("content/<str:label>/<int:object_id>/report/", views.report_content, name="report_content"),
    path("reports/mine/", views.my_reports, name="my_reports"),
    path("reports/", views.moderation_queue_view, name="moderation_queue"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("blocks/", views.blocks, name="blocks"),
    path("phi/check/", views.phi_check_view, name="phi_check"),
]
