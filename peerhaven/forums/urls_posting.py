"""Routes for communities, topics, posts, reactions, follows, bookmarks, drafts, identity modes."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from peerhaven.forums.views import posting as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.communities, name="communities"),
    path("c/<slug:slug>/", views.community, name="community"),
    path("c/<slug:slug>/follow/", views.community_follow, name="community_follow"),
    path("c/<slug:slug>/new/", views.topic_new, name="topic_new"),
    path("c/<slug:slug>/images/", views.image_upload, name="image_upload"),
    path("t/<int:pk>/", views.topic, name="topic"),
    path("t/<int:pk>/reply/", views.topic_reply, name="topic_reply"),
    path("t/<int:pk>/follow/", views.topic_follow, name="topic_follow"),
    path("p/<int:pk>/", views.post, name="post"),
    path("p/<int:pk>/edit/", views.post_edit_view, name="post_edit"),
    path("p/<int:pk>/history/", views.post_history, name="post_history"),
    path("p/<int:pk>/react/", views.post_react, name="post_react"),
    path("p/<int:pk>/bookmark/", views.post_bookmark, name="post_bookmark"),
    path("bookmarks/", views.bookmarks, name="bookmarks"),
    path("drafts/", views.drafts, name="drafts"),
    path("drafts/save/", views.draft_save_view, name="draft_save"),
    path("drafts/<int:pk>/delete/", views.draft_delete_view, name="draft_delete"),
    path("preferences/", views.reading_preferences, name="reading_preferences"),
    path("images/<str:key>/", views.image, name="image"),
]
