"""Routes for flags, the moderation queue, watched words, the anonymous relay and reveal, search, digests, the resource library."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from peerhaven.forums.views import moderation as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("search/", views.search, name="search"),
    path("moderation/", views.mod_queue, name="mod_queue"),
    path("moderation/posts/<int:pk>/", views.mod_post, name="mod_post"),
    path("moderation/topics/<int:pk>/", views.mod_topic, name="mod_topic"),
    path("moderation/posts/<int:pk>/suspend/", views.mod_suspend, name="mod_suspend"),
    path("moderation/watched-words/", views.watched_words_view, name="watched_words"),
    path("moderation/watched-words/<int:pk>/delete/", views.watched_word_delete, name="watched_word_delete"),
    path("moderation/posts/<int:pk>/relay/", views.relay_moderator, name="relay_moderator"),
    path("moderation/posts/<int:pk>/reveal/", views.reveal_request_view, name="reveal_request"),
    path("moderation/reveals/", views.reveal_list, name="reveal_list"),
    path("moderation/reveals/<int:pk>/decide/", views.reveal_decide, name="reveal_decide"),
    path("moderation/reveals/<int:pk>/identity/", views.reveal_show_view, name="reveal_show"),
    path("moderation/settings/", views.forum_settings_view, name="forum_settings"),
    path("relay/<int:pk>/", views.relay_author, name="relay_author"),
    path("notices/", views.moderation_notices, name="moderation_notices"),
    path("digest/", views.digest_preferences, name="digest_preferences"),
    path("library/", views.library_view, name="library"),
    path("library/suggest/", views.resource_suggest_view, name="resource_suggest"),
    path("library/review/", views.resource_review, name="resource_review"),
    path("library/<int:pk>/", views.resource_view, name="resource"),
    path("library/<int:pk>/document/", views.resource_document, name="resource_document"),
    path("library/<int:pk>/decide/", views.resource_decide, name="resource_decide"),
]
