"""Forum pages for reading and writing: communities, a community's topics, a topic with its
posts and reply form, new topic, edit and history of a post, reactions, follows, bookmarks,
drafts (autosaved with htmx), reading preferences, and post images.

Every object is loaded through a policies `*_get_for_user` loader (404 for outsiders); authors
are shown only through `post_author_label`.
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from peerhaven.core.policies import verified_required
from peerhaven.forums.markdown import post_html, quote_markdown
from peerhaven.forums.models.posting import (
    TOPIC_TITLE_MAX_LENGTH,
    CollapseMode,
    ContentNote,
    Draft,
    ForumImage,
    Post,
    PostIdentity,
    ReactionKind,
)
from peerhaven.forums.policies.posting import (
    allowed_identity_modes,
    can_edit_post,
    can_post,
    can_post_in_community,
    can_read_community,
    can_view_post_history,
    community_get_for_user,
    is_forum_moderator,
    is_own_post,
    post_author_label,
    post_get_for_user,
    topic_get_for_user,
)
from peerhaven.forums.selectors.posting import (
    bookmarks_for,
    chosen_collapse_notes,
    communities_for_user,
    community_is_followed,
    community_topics_page,
    draft_for,
    drafts_for,
    post_page_number,
    post_revisions,
    reading_settings,
    topic_page,
    with_reactions,
)
from peerhaven.forums.services.posting import (
    PostRefused,
    bookmark_set,
    community_follow_set,
    draft_delete,
    draft_save,
    forum_image_upload,
    post_create,
    post_edit,
    reaction_set,
    reading_preference_update,
    topic_create,
    topic_follow_set,
    topic_mark_read,
)
from peerhaven.forums.views.posting_items import post_items_html
from peerhaven.safety.phi_forms import PhiGuardedFormMixin, PhiMode

# Per member, on top of the posting service's own hourly and new-member limits.
_POST_RATE = {"key": "user", "rate": "12/m", "method": "POST", "block": True, "group": "forums.post"}
_SMALL_ACTION_RATE = {"key": "user", "rate": "120/m", "method": "POST", "block": True, "group": "forums.small"}
_DRAFT_RATE = {"key": "user", "rate": "60/m", "method": "POST", "block": True, "group": "forums.draft"}
_IMAGE_RATE = {"key": "user", "rate": "20/h", "method": "POST", "block": True, "group": "forums.image"}
PHI_ACK_FIELD = "phi_ack"


# --- forms -----------------------------------------------------------------------------------
def _identity_choices(user: Any) -> list[tuple[str, str]]:
    allowed = allowed_identity_modes(user)
    return [(value, str(label)) for value, label in PostIdentity.choices if value in allowed]


def _note_choices() -> list[tuple[str, str]]:
    return [("", str(_("No content note"))), *[(value, str(label)) for value, label in ContentNote.choices]]


class PostForm(PhiGuardedFormMixin, forms.Form):
    """A reply. The PHI guard warns (forum posts are not case material) and never blocks."""

    phi_fields: ClassVar[tuple[str, ...]] = ("body",)
    phi_mode: ClassVar[PhiMode] = "warn"

    body = forms.CharField(
        label=gettext_lazy("Your message"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        help_text=gettext_lazy("Markdown works: **bold**, _italic_, > quotes, lists and links. Mention a member with @pseudonym."),
    )
    identity_mode = forms.ChoiceField(label=gettext_lazy("Post as"), widget=forms.RadioSelect)
    content_note = forms.ChoiceField(
        label=gettext_lazy("Content note"),
        required=False,
        help_text=gettext_lazy("Readers see the note and open the post when they are ready."),
    )
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        identity_field = cast(forms.ChoiceField, self.fields["identity_mode"])
        identity_field.choices = _identity_choices(user)
        identity_field.initial = PostIdentity.PSEUDONYM
        cast(forms.ChoiceField, self.fields["content_note"]).choices = _note_choices()


class TopicForm(PostForm):
    phi_fields: ClassVar[tuple[str, ...]] = ("title", "body")

    title = forms.CharField(label=gettext_lazy("Title"), max_length=TOPIC_TITLE_MAX_LENGTH)
    field_order = ["title", "body", "identity_mode", "content_note"]


class EditForm(PhiGuardedFormMixin, forms.Form):
    phi_fields: ClassVar[tuple[str, ...]] = ("body",)
    phi_mode: ClassVar[PhiMode] = "warn"

    title = forms.CharField(label=gettext_lazy("Title"), max_length=TOPIC_TITLE_MAX_LENGTH, required=False)
    body = forms.CharField(label=gettext_lazy("Your message"), widget=forms.Textarea(attrs={"rows": 10}), max_length=20000)
    content_note = forms.ChoiceField(label=gettext_lazy("Content note"), required=False)

    def __init__(self, *args: Any, with_title: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["content_note"]).choices = _note_choices()
        if not with_title:
            del self.fields["title"]
        else:
            self.fields["title"].required = True


class ReadingPreferenceForm(forms.Form):
    collapse_mode = forms.ChoiceField(
        label=gettext_lazy("Posts with a content note"), choices=CollapseMode.choices, widget=forms.RadioSelect
    )
    notes = forms.MultipleChoiceField(
        label=gettext_lazy("Always collapse these notes"),
        choices=ContentNote.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Used when you choose “Collapse only the notes I choose”."),
    )


class ImageForm(forms.Form):
    image = forms.FileField(label=gettext_lazy("Image (JPEG or PNG)"))


# --- helpers ---------------------------------------------------------------------------------
def _phi_needs_ack(request: HttpRequest, form: PhiGuardedFormMixin) -> bool:
    """Warn mode's soft confirmation: the first submit with findings shows them and publishes
    nothing; the author then edits or presses "Post anyway"."""
    return bool(form.phi_findings) and PHI_ACK_FIELD not in request.POST


def _phi_categories(form: PhiGuardedFormMixin) -> list[str]:
    return [finding.category for check in form.phi_findings.values() for finding in check.findings]


def _refused(request: HttpRequest, template: str, context: dict[str, Any], error: Exception) -> HttpResponse:
    form = context.get("form")
    message = str(error)
    if form is not None and isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            for name, texts in error.message_dict.items():
                for text in texts:
                    form.add_error(name if name in form.fields else None, text)
        else:
            for text in error.messages:
                form.add_error(None, text)
    elif form is not None:
        form.add_error(None, message)
    status = 429 if getattr(error, "code", "") in {"hourly_limit", "new_member_limit"} else 400
    if isinstance(error, PermissionDenied):
        status = 403
    return render(request, template, context, status=status)


def _decorate_posts(request: HttpRequest, topic: Any, posts: list[Post], *, read_up_to: int,
                    blocked_ids: set[int], settings: Any) -> list[dict[str, Any]]:
    """What the template shows for each post: its label (THE author display), flags, counts."""
    moderator = is_forum_moderator(request.user)
    rows = []
    for post in posts:
        post.topic = topic  # already loaded: the policy checks below read it without a query
        anonymous = post.identity_mode == PostIdentity.ANONYMOUS
        own = is_own_post(request.user, post)
        created = localtime(post.created_at)
        rows.append({
            "post": post,
            "label": post_author_label(post, request.user),
            "html": _page_post_html(post.rendered_html),
            "anonymous": anonymous,
            # What `|date:'c'` and `|date:"DATETIME_FORMAT"` would print, computed in one pass.
            "created_iso": created.isoformat(),  # what `|date:'c'` prints
            "created_display": date_format(created, "DATETIME_FORMAT"),
            "new": post.number > read_up_to,
            "own": own,
            "deleted": post.deleted_at is not None,
            "hidden": post.hidden_at is not None,
            "show_hidden": post.hidden_at is not None and moderator,
            # Blocks apply to named posts only: skipping anonymous posts of a blocked member
            # would tell the reader who wrote them.
            "blocked": (not anonymous and not own and post.author_id in blocked_ids),
            "collapsed": settings.collapses(post.content_note),
            "reply_label": post_author_label(post.reply_to, request.user) if post.reply_to_id and post.reply_to else "",
            "reactions": _reaction_rows(post),
            "urls": _post_urls(post.pk),
            # Only an author or a moderator may ever edit: the policy is asked for those rows only.
            "can_edit": (own or moderator) and can_edit_post(request.user, post),
            "can_history": post.edited_at is not None and (own or moderator),
        })
    return rows


# The stored HTML is re-sanitised on output (markdown.post_html), a fixed function of the stored
# text: memoised per process so a page of posts read again and again is cleaned once, not on
# every request. Same output, same safety; bounded so memory stays small.
_page_post_html = functools.lru_cache(maxsize=2048)(post_html)


_URL_SENTINEL = 987654321
_URL_NAMES = {
    "permalink": "forums:post",
    "react": "forums:post_react",
    "bookmark": "forums:post_bookmark",
    "edit": "forums:post_edit",
    "history": "forums:post_history",
    "moderate": "forums:mod_post",
}


def _post_urls(pk: int) -> dict[str, str]:
    """The per-post links of the topic page. Reversed once per name (with a sentinel id) and
    filled in per post: a page of posts otherwise spends most of its time in reverse()."""
    sentinel = str(_URL_SENTINEL)
    templates = _url_templates(get_script_prefix())
    return {name: template.replace(sentinel, str(pk)) for name, template in templates.items()}


@functools.cache
def _url_templates(script_prefix: str) -> dict[str, str]:
    templates = {name: reverse(route, kwargs={"pk": _URL_SENTINEL}) for name, route in _URL_NAMES.items()}
    templates["report"] = reverse("safety:report_content", kwargs={"label": "forums.post", "object_id": _URL_SENTINEL})
    return templates


@functools.lru_cache(maxsize=16)
def _reaction_choices(language: str) -> tuple[tuple[str, str], ...]:
    """The reaction kinds with their labels translated once per language, not once per post."""
    del language  # part of the key: the labels below are in the active language
    return tuple((kind, str(label)) for kind, label in ReactionKind.choices)


def _reaction_rows(post: Post) -> list[dict[str, Any]]:
    return [
        # The button's value, class and pressed state are spelled here, once, not by template
        # conditionals per button per post.
        {"kind": kind, "label": label, "count": count, "mine": mine,
         "value": f"{kind}:{'0' if mine else '1'}",
         "css": "reaction reaction-mine" if mine else "reaction",
         "pressed": "true" if mine else "false"}
        for kind, label in _reaction_choices(get_language())
        for count, mine in [(getattr(post, f"count_{kind}", 0), bool(getattr(post, f"mine_{kind}", False)))]
    ]


# --- communities -----------------------------------------------------------------------------
@verified_required
@require_GET
def communities(request: HttpRequest) -> HttpResponse:
    return render(request, "forums/posting/communities.html", {"communities": list(communities_for_user(request.user))})


@verified_required
@require_GET
def community(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get_for_user(request.user, slug)
    page = community_topics_page(request.user, community, request.GET.get("page"))
    rows = []
    for topic in page.object_list:
        opening = topic.opening_posts[0] if topic.opening_posts else None
        rows.append({"topic": topic, "started_by": post_author_label(opening, request.user) if opening else "",
                     "unread": max(topic.unread_count, 0), "never_read": topic.read_up_to == 0})
    return render(request, "forums/posting/community.html", {
        "community": community,
        "page": page,
        "rows": rows,
        "following": community_is_followed(request.user, community),
        "can_start": can_post_in_community(request.user, community),
    })


@verified_required
@ratelimit(**_SMALL_ACTION_RATE)
@require_POST
def community_follow(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get_for_user(request.user, slug)
    following = request.POST.get("follow") == "1"
    community_follow_set(actor=request.user, community=community, following=following)
    messages.success(request, _("You follow this community.") if following else _("You no longer follow this community."))
    return redirect("forums:community", slug=community.slug)


# --- topics ----------------------------------------------------------------------------------
@verified_required
@ratelimit(**_POST_RATE)
@require_http_methods(["GET", "POST"])
def topic_new(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get_for_user(request.user, slug)
    if not can_post_in_community(request.user, community):
        raise Http404
    draft = draft_for(request.user, community=community, topic=None)
    initial: dict[str, Any] = {"identity_mode": PostIdentity.PSEUDONYM}
    if draft is not None:
        initial.update(title=draft.title, body=draft.body, identity_mode=draft.identity_mode, content_note=draft.content_note)
    form = TopicForm(request.POST or None, user=request.user, initial=initial)
    context = {"community": community, "form": form, "draft": draft}
    template = "forums/posting/topic_new.html"
    if request.method == "POST" and form.is_valid():
        if _phi_needs_ack(request, form):
            return render(request, template, {**context, "phi_warning": True})
        data = form.cleaned_data
        try:
            topic = topic_create(
                actor=request.user, community=community, title=data["title"], body=data["body"],
                identity_mode=data["identity_mode"], content_note=data["content_note"] or "", request=request,
                phi_categories=_phi_categories(form),
            )
        except (PostRefused, ValidationError, PermissionDenied) as error:
            return _refused(request, template, context, error)
        messages.success(request, _("Your topic is posted."))
        return redirect("forums:topic", pk=topic.pk)
    return render(request, template, context, status=400 if request.method == "POST" else 200)


def _topic_context(request: HttpRequest, topic: Any, *, form: PostForm | None = None,
                   page_number: Any = None) -> dict[str, Any]:
    data = topic_page(request.user, topic, page_number if page_number is not None else request.GET.get("page"))
    rows = _decorate_posts(request, topic, data.posts, read_up_to=data.read_up_to,
                           blocked_ids=data.blocked_ids, settings=data.settings)
    may_reply = can_post(request.user, topic)
    compose_html = None
    if form is None and may_reply:
        initial: dict[str, Any] = {"identity_mode": PostIdentity.PSEUDONYM}
        # The page's reader-state statement said whether there is a draft: loaded only then.
        draft = draft_for(request.user, community=topic.community, topic=topic) if data.draft_id else None
        if draft is not None:
            initial.update(body=draft.body, identity_mode=draft.identity_mode, content_note=draft.content_note)
        quote_id = request.GET.get("quote", "")
        if quote_id.isdigit():
            quoted = Post.objects.select_related("author__profile").filter(pk=int(quote_id), topic=topic,
                                                                           hidden_at__isnull=True, deleted_at__isnull=True).first()
            if quoted is not None:
                initial["body"] = quote_markdown(author_label=post_author_label(quoted, request.user), body=quoted.body) + initial.get("body", "")
                initial["reply_to"] = quoted.pk
        if set(initial) == {"identity_mode"}:
            # No draft, no quote: the empty reply form, the same for everyone who may post the
            # same ways in the same language; rendered once per process, not on every view.
            compose_html = _empty_compose_html(get_language(), tuple(allowed_identity_modes(request.user)))
        else:
            form = PostForm(user=request.user, initial=initial)
    moderator = is_forum_moderator(request.user)
    csrf_input = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))
    return {
        "topic": topic,
        "community": topic.community,
        "page": data.page,
        "rows": rows,
        "following": data.following,
        "read_up_to": data.read_up_to,
        "form": form,
        "may_reply": may_reply,
        "reaction_kinds": ReactionKind.choices,
        "is_moderator": moderator,
        "post_items": post_items_html(rows, may_reply=may_reply, is_moderator=moderator, csrf_input=csrf_input,
                                      note_labels={value: str(label) for value, label in ContentNote.choices}),
        "compose_html": compose_html,
    }


@functools.lru_cache(maxsize=32)
def _empty_compose_html(language: str, identity_modes: tuple[str, ...]) -> SafeString:
    """The fields of an empty reply form (no per-member value, no CSRF token: the form tag
    around it carries that), keyed by language and the identity modes offered."""
    del language  # part of the key: the render below uses the active language
    labels = dict(PostIdentity.choices)
    form = PostForm(user=None, initial={"identity_mode": PostIdentity.PSEUDONYM})
    cast(forms.ChoiceField, form.fields["identity_mode"]).choices = [(mode, str(labels[mode])) for mode in identity_modes]
    return mark_safe(render_to_string("forums/posting/_compose_fields.html", {"form": form}))  # noqa: S308 - template output


@verified_required
@require_GET
def topic(request: HttpRequest, pk: int) -> HttpResponse:
    topic = topic_get_for_user(request.user, pk)
    context = _topic_context(request, topic)
    page = context["page"]
    last_number = max((row["post"].number for row in context["rows"]), default=0)
    if last_number > context["read_up_to"]:
        topic_mark_read(actor=request.user, topic=topic, up_to=last_number)
    context["page_numbers"] = page.paginator.page_range if page.paginator.num_pages <= 12 else None
    return render(request, "forums/posting/topic.html", context)


@verified_required
@ratelimit(**_POST_RATE)
@require_POST
def topic_reply(request: HttpRequest, pk: int) -> HttpResponse:
    topic = topic_get_for_user(request.user, pk)
    if not can_post(request.user, topic):
        raise PermissionDenied(_("This topic is locked."))
    form = PostForm(request.POST, user=request.user)
    template = "forums/posting/topic.html"
    if form.is_valid():
        data = form.cleaned_data
        reply_to = None
        if data.get("reply_to"):
            reply_to = Post.objects.filter(pk=data["reply_to"], topic=topic).first()
        if _phi_needs_ack(request, form):
            context = _topic_context(request, topic, form=form, page_number=10**6)
            return render(request, template, {**context, "phi_warning": True})
        try:
            post = post_create(
                actor=request.user, topic=topic, body=data["body"], identity_mode=data["identity_mode"],
                content_note=data["content_note"] or "", reply_to=reply_to, request=request,
                phi_categories=_phi_categories(form),
            )
        except (PostRefused, ValidationError, PermissionDenied) as error:
            return _refused(request, template, _topic_context(request, topic, form=form, page_number=10**6), error)
        messages.success(request, _("Your reply is posted."))
        return redirect(f"{reverse('forums:topic', kwargs={'pk': topic.pk})}?page={post_page_number(post)}#post-{post.number}")
    return render(request, template, _topic_context(request, topic, form=form, page_number=10**6), status=400)


@verified_required
@ratelimit(**_SMALL_ACTION_RATE)
@require_POST
def topic_follow(request: HttpRequest, pk: int) -> HttpResponse:
    topic = topic_get_for_user(request.user, pk)
    following = request.POST.get("follow") == "1"
    topic_follow_set(actor=request.user, topic=topic, following=following)
    messages.success(request, _("You follow this topic.") if following else _("You no longer follow this topic."))
    return redirect("forums:topic", pk=topic.pk)


# --- posts -----------------------------------------------------------------------------------
@verified_required
@require_GET
def post(request: HttpRequest, pk: int) -> HttpResponse:
    """A stable link to one post (notifications use it): the topic page where it sits."""
    post = post_get_for_user(request.user, pk)
    return redirect(f"{reverse('forums:topic', kwargs={'pk': post.topic_id})}?page={post_page_number(post)}#post-{post.number}")


@verified_required
@ratelimit(**_POST_RATE)
@require_http_methods(["GET", "POST"])
def post_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    post = post_get_for_user(request.user, pk)
    if not can_edit_post(request.user, post):
        raise Http404
    with_title = post.number == 1
    initial = {"body": post.body, "content_note": post.content_note, "title": post.topic.title}
    form = EditForm(request.POST or None, with_title=with_title, initial=initial)
    context = {"post": post, "topic": post.topic, "form": form, "label": post_author_label(post, request.user)}
    template = "forums/posting/post_edit.html"
    if request.method == "POST" and form.is_valid():
        if _phi_needs_ack(request, form):
            return render(request, template, {**context, "phi_warning": True})
        data = form.cleaned_data
        try:
            post_edit(actor=request.user, post=post, body=data["body"], content_note=data["content_note"] or "",
                      title=data.get("title") if with_title else None, request=request,
                      phi_categories=_phi_categories(form))
        except (PostRefused, ValidationError, PermissionDenied) as error:
            return _refused(request, template, context, error)
        messages.success(request, _("Your changes are saved."))
        return redirect("forums:post", pk=post.pk)
    return render(request, template, context, status=400 if request.method == "POST" else 200)


@verified_required
@require_GET
def post_history(request: HttpRequest, pk: int) -> HttpResponse:
    post = post_get_for_user(request.user, pk)
    if not can_view_post_history(request.user, post):
        raise Http404
    return render(request, "forums/posting/post_history.html", {
        "post": post, "topic": post.topic, "label": post_author_label(post, request.user),
        "revisions": list(post_revisions(post)),
    })


@verified_required
@ratelimit(**_SMALL_ACTION_RATE)
@require_POST
def post_react(request: HttpRequest, pk: int) -> HttpResponse:
    post = post_get_for_user(request.user, pk)
    # One form per post: the pressed button says "<kind>:<1 to add|0 to take back>".
    kind, _sep, on = request.POST.get("reaction", "").partition(":")
    if not kind:
        kind, on = request.POST.get("kind", ""), request.POST.get("on", "")
    if kind not in ReactionKind.values:
        return HttpResponse(_("Choose one of the support reactions."), status=400)
    try:
        reaction_set(actor=request.user, post=post, kind=kind, on=on == "1")
    except PermissionDenied as refusal:
        return HttpResponse(str(refusal), status=403)
    if request.headers.get("HX-Request"):
        fresh = with_reactions(request.user, [post])[0]
        return render(request, "forums/posting/_reactions.html",
                      {"post": fresh, "reactions": _reaction_rows(fresh), "urls": _post_urls(post.pk)})
    return redirect("forums:post", pk=post.pk)


@verified_required
@ratelimit(**_SMALL_ACTION_RATE)
@require_POST
def post_bookmark(request: HttpRequest, pk: int) -> HttpResponse:
    post = post_get_for_user(request.user, pk)
    on = request.POST.get("on") == "1"
    bookmark_set(actor=request.user, post=post, on=on)
    messages.success(request, _("Bookmarked.") if on else _("Bookmark removed."))
    return redirect("forums:post", pk=post.pk)


# --- the member's own pages ------------------------------------------------------------------
@verified_required
@require_GET
def bookmarks(request: HttpRequest) -> HttpResponse:
    rows = [{"bookmark": bookmark, "label": post_author_label(bookmark.post, request.user)}
            for bookmark in bookmarks_for(request.user)[:200]]
    return render(request, "forums/posting/bookmarks.html", {"rows": rows})


@verified_required
@require_GET
def drafts(request: HttpRequest) -> HttpResponse:
    return render(request, "forums/posting/drafts.html", {"drafts": list(drafts_for(request.user)[:200])})


@verified_required
@ratelimit(**_DRAFT_RATE)
@require_POST
def draft_save_view(request: HttpRequest) -> HttpResponse:
    """Autosave from the editor (htmx, debounced). Answers a short status line."""
    slug = request.POST.get("draft_community", "")
    community = community_get_for_user(request.user, slug)
    topic = None
    topic_id = request.POST.get("draft_topic", "")
    if topic_id:
        if not topic_id.isdigit():
            raise Http404
        topic = topic_get_for_user(request.user, int(topic_id))
    try:
        saved = draft_save(
            actor=request.user, community=community, topic=topic, title=request.POST.get("title", ""),
            body=request.POST.get("body", ""), identity_mode=request.POST.get("identity_mode", PostIdentity.PSEUDONYM),
            content_note=request.POST.get("content_note", ""),
        )
    except PermissionDenied:
        raise Http404 from None
    return render(request, "forums/posting/_draft_status.html", {"saved": saved})


@verified_required
@require_POST
def draft_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    draft = get_object_or_404(Draft, pk=pk, member=request.user)
    draft_delete(actor=request.user, draft=draft)
    messages.success(request, _("The draft is deleted."))
    return redirect("forums:drafts")


@verified_required
@require_http_methods(["GET", "POST"])
def reading_preferences(request: HttpRequest) -> HttpResponse:
    current = reading_settings(request.user)
    form = ReadingPreferenceForm(request.POST or None,
                                 initial={"collapse_mode": current.mode, "notes": chosen_collapse_notes(request.user)})
    if request.method == "POST" and form.is_valid():
        reading_preference_update(actor=request.user, collapse_mode=form.cleaned_data["collapse_mode"],
                                  notes=form.cleaned_data["notes"])
        messages.success(request, _("Your reading preferences are saved."))
        return redirect("forums:reading_preferences")
    return render(request, "forums/posting/reading_preferences.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


# --- images ----------------------------------------------------------------------------------
@verified_required
@ratelimit(**_IMAGE_RATE)
@require_http_methods(["GET", "POST"])
def image_upload(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get_for_user(request.user, slug)
    if not can_post_in_community(request.user, community):
        raise Http404
    form = ImageForm(request.POST or None, request.FILES or None)
    image = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                image = forum_image_upload(actor=request.user, community=community, upload=form.cleaned_data["image"],
                                           request=request)
            except ValidationError as error:
                form.add_error("image", error)
                status = 400
        else:
            status = 400
    if image is not None and request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"markdown": f"![]({reverse('forums:image', kwargs={'key': image.key})})"})
    return render(request, "forums/posting/image_upload.html", {"community": community, "form": form, "image": image},
                  status=status)


@verified_required
@require_GET
def image(request: HttpRequest, key: str) -> HttpResponse:
    """Serve an uploaded image to members who can read its community."""
    found = ForumImage.objects.select_related("community").filter(key=key).first()
    if found is None or not can_read_community(request.user, found.community):
        raise Http404
    if not default_storage.exists(found.storage_path):
        raise Http404
    response = FileResponse(default_storage.open(found.storage_path, "rb"), content_type=found.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    return cast(HttpResponse, response)  # a streaming response; the decorators only pass it on
