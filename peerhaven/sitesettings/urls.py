from django.urls import path

from peerhaven.sitesettings import views

app_name = "sitesettings"

urlpatterns = [
    path("staff/site/", views.edit, name="edit"),
    path("site.css", views.site_css, name="css"),
    path("site/logo/", views.logo, name="logo"),
]
