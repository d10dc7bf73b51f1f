from django.urls import path

from peerhaven.safety import views

app_name = "safety"

urlpatterns = [
    path("crisis/", views.crisis, name="crisis"),
]
