"""forums pages: search, the forum moderation queue and its actions, watched words, the
anonymous relay (both sides), the two-staff reveal, a member's moderation notices, digest
preferences and settings, and the resource library.

Every page about an anonymous post shows its author as "Verified clinician" (through
`post_author_label`), to moderators and staff too; the reveal page is the one exception, for
the staff member whose request a second staff member approved, once.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerhaven.accounts.models import Role, User
from peerhaven.core.policies import role_required, verified_required
from peerhaven.forums.models.moderation import (
    DigestFrequency,
    RelayDirection,
    ResourceKind,
    ResourceStatus,
    ResourceTag,
    WarningReason,
    WatchedWord,
    WatchedWordAction,
)
from peerhaven.forums.models.posting import Community
from peerhaven.forums.policies.moderation import (
    can_relay_as_moderator,
    can_request_reveal,
    can_see_revealed_identity,
    can_suspend_from_forums,
    moderated_post_get_for_user,
    moderated_topic_get_for_user,
    relay_post_get_for_author,
    resource_get_for_user,
    reveal_get_for_staff,
)
from peerhaven.forums.policies.posting import post_author_label, visible_communities
from peerhaven.forums.search.engine import NEWEST, ORDERS, RELEVANCE, SearchFilters, search_posts
from peerhaven.forums.selectors.moderation import (
    forum_queue,
    forum_settings,
    library,
    moveable_communities,
    open_reports_for_post,
    relay_thread,
    relay_threads_for_author,
    resource_suggestions,
    resources_suggested_by,
    reveal_requests,
    reveals_about,
    warnings_for,
    watched_words,
)
from peerhaven.forums.services.moderation import (
    ModerationConflict,
    digest_preference_set,
    forum_settings_update,
    member_suspend_from_post,
    member_warn,
    post_hide,
    post_restore,
    post_soft_delete,
    relay_mark_read,
    relay_reply_from_author,
    relay_send_to_author,
    reports_dismiss_for_post,
    resource_decline,
    resource_document_read,
    resource_publish,
    resource_suggest,
    reveal_request_create,
    reveal_request_decide,
    reveal_show,
    topic_lock_set,
    topic_move,
    topic_soft_delete,
    watched_word_add,
    watched_word_remove,
)
from peerhaven.safety.phi_forms import PhiGuardedFormMixin, PhiMode


def _member(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # members-only views: the middleware signed-in check ran
    return user


def _apply_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field_name, errors in error.error_dict.items():
            form.add_error(field_name if field_name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- forms -------------------------------------------------------------------------------------
class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search for"), max_length=200, required=False)
    community = forms.TypedChoiceField(label=gettext_lazy("Community"), required=False, coerce=int, empty_value=None)
    author = forms.CharField(label=gettext_lazy("Author's pseudonym"), max_length=40, required=False)
    since = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    order = forms.ChoiceField(
        label=gettext_lazy("Order"), required=False,
        choices=[(NEWEST, gettext_lazy("Newest first")), (RELEVANCE, gettext_lazy("Most relevant first"))],
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=25, widget=forms.HiddenInput)

    def __init__(self, *args: Any, communities: list[Community], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", _("All my communities")), *((c.pk, c.name) for c in communities)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise ValidationError(_("The start date is after the end date."))
        return data


class WarnForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=WarningReason.choices)


class MoveForm(forms.Form):
    community = forms.TypedChoiceField(label=gettext_lazy("Move to"), coerce=int)


class SuspendForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason (kept for staff)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class WatchedWordForm(forms.Form):
    word = forms.CharField(label=gettext_lazy("Word or phrase"), max_length=80)
    action = forms.ChoiceField(label=gettext_lazy("What to do"), choices=WatchedWordAction.choices, widget=forms.RadioSelect)


class RelayForm(PhiGuardedFormMixin, forms.Form):
    """A relay message, either way. The PHI guard warns (as for forum posts) and never blocks."""

    phi_fields: ClassVar[tuple[str, ...]] = ("body",)
    phi_mode: ClassVar[PhiMode] = "warn"

    body = forms.CharField(label=gettext_lazy("Message"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000)


RELAY_PHI_ACK_FIELD = "phi_ack"


def _relay_phi_needs_ack(request: HttpRequest, form: RelayForm) -> bool:
    """The first send with findings shows them and sends nothing; the writer edits or presses
    "Send anyway"."""
    return bool(form.phi_findings) and RELAY_PHI_ACK_FIELD not in request.POST


def _relay_phi_categories(form: RelayForm) -> list[str]:
    return [finding.category for check in form.phi_findings.values() for finding in check.findings]


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason: the imminent risk"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000,
        help_text=gettext_lazy("A second staff member reads this before deciding. The author will be told that their identity was revealed."),
    )


class DigestForm(forms.Form):
    frequency = forms.ChoiceField(label=gettext_lazy("Community digest"), choices=DigestFrequency.choices, widget=forms.RadioSelect)


class ForumSettingsForm(forms.Form):
    digest_titles = forms.BooleanField(label=gettext_lazy("Digests may name the topics with new posts"), required=False)


class ResourceForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=160)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ResourceKind.choices, widget=forms.RadioSelect)
    url = forms.URLField(label=gettext_lazy("Web address (for a link)"), required=False, max_length=500, assume_scheme="https")
    summary = forms.CharField(label=gettext_lazy("Summary, or the write-up itself"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 6}))
    document = forms.FileField(label=gettext_lazy("Document (PDF, JPEG or PNG)"), required=False)
    tags = forms.MultipleChoiceField(label=gettext_lazy("Topics"), choices=ResourceTag.choices, widget=forms.CheckboxSelectMultiple)


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search the library"), max_length=100, required=False)
    tag = forms.ChoiceField(label=gettext_lazy("Topic"), required=False,
                            choices=[("", gettext_lazy("All topics")), *ResourceTag.choices])


class PublishForm(forms.Form):
    community = forms.TypedChoiceField(label=gettext_lazy("Discussion in"), coerce=int)


# --- search ------------------------------------------------------------------------------------
@verified_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    communities = list(visible_communities(member).order_by("position", "name"))
    form = SearchForm(request.GET or None, communities=communities)
    results = None
    status = 200
    if request.GET:
        if form.is_valid() and form.cleaned_data["q"].strip():
            data = form.cleaned_data
            filters = SearchFilters(
                query=data["q"], community_id=data["community"], author=data["author"] or "",
                since=data["since"], until=data["until"], order=data["order"] or NEWEST, page=data["page"] or 1,
            )
            results = search_posts(member, filters)
        elif not form.is_valid():
            status = 400
    query = request.GET.copy()
    query.pop("page", None)
    page = form.cleaned_data.get("page") or 1 if form.is_bound and form.is_valid() else 1
    return render(request, "forums/moderation/search.html", {
        "form": form, "results": results, "query_string": query.urlencode(), "page_number": page,
        "orders": ORDERS,
    }, status=status)


# --- the forum moderation queue ------------------------------------------------------------------
@role_required(Role.MODERATOR)
@require_GET
def mod_queue(request: HttpRequest) -> HttpResponse:
    return render(request, "forums/moderation/queue.html", {
        "items": [(item, post_author_label(item.post)) for item in forum_queue()],
    })


_POST_ACTIONS = {"hide", "restore", "delete", "dismiss", "warn"}


@role_required(Role.MODERATOR)
@require_http_methods(["GET", "POST"])
def mod_post(request: HttpRequest, pk: int) -> HttpResponse:
    moderator = _member(request)
    post = moderated_post_get_for_user(moderator, pk)
    warn_form = WarnForm(request.POST if request.POST.get("action") == "warn" else None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in _POST_ACTIONS:
            return render(request, "forums/moderation/bad_request.html", status=400)
        if action == "hide":
            post_hide(actor=moderator, post=post, request=request)
            messages.success(request, _("The post is hidden from members."))
        elif action == "restore":
            post_restore(actor=moderator, post=post, request=request)
            messages.success(request, _("The post is shown again."))
        elif action == "delete":
            post_soft_delete(actor=moderator, post=post, request=request)
            messages.success(request, _("The post is deleted."))
            return redirect("forums:mod_queue")
        elif action == "dismiss":
            reports_dismiss_for_post(actor=moderator, post=post, request=request)
            messages.success(request, _("The reports are dismissed; the post stays."))
        elif action == "warn":
            if not warn_form.is_valid():
                return _mod_post_page(request, post, warn_form, status=400)
            try:
                member_warn(actor=moderator, post=post, reason=warn_form.cleaned_data["reason"], request=request)
            except ValidationError as error:
                _apply_errors(warn_form, error)
                return _mod_post_page(request, post, warn_form, status=400)
            messages.success(request, _("The author is told there is a warning about this post."))
        return redirect("forums:mod_post", pk=post.pk)
    return _mod_post_page(request, post, warn_form)


def _mod_post_page(request: HttpRequest, post: Any, warn_form: WarnForm, *, status: int = 200) -> HttpResponse:
    moderator = _member(request)
    reports = list(open_reports_for_post(post).order_by("created_at"))
    return render(request, "forums/moderation/post.html", {
        "post": post, "author_label": post_author_label(post), "reports": reports, "warn_form": warn_form,
        "move_form": _move_form(moderator, post.topic),
        "can_relay": can_relay_as_moderator(moderator, post),
        "can_suspend": can_suspend_from_forums(moderator, post),
        "can_reveal": can_request_reveal(moderator, post),
    }, status=status)


def _move_form(user: User, topic: Any, data: Any = None) -> MoveForm:
    form = MoveForm(data)
    form.fields["community"].choices = [  # type: ignore[attr-defined]
        (community.pk, community.name) for community in moveable_communities(user) if community.pk != topic.community_id
    ]
    return form


@role_required(Role.MODERATOR)
@require_POST
def mod_topic(request: HttpRequest, pk: int) -> HttpResponse:
    moderator = _member(request)
    topic = moderated_topic_get_for_user(moderator, pk)
    action = request.POST.get("action", "")
    if action in {"lock", "unlock"}:
        topic_lock_set(actor=moderator, topic=topic, locked=action == "lock", request=request)
        messages.success(request, _("The topic is locked.") if action == "lock" else _("The topic is open again."))
    elif action == "move":
        form = _move_form(moderator, topic, request.POST)
        if not form.is_valid():
            return render(request, "forums/moderation/bad_request.html", status=400)
        community = moveable_communities(moderator).filter(pk=form.cleaned_data["community"]).first()
        if community is None:
            raise Http404
        topic_move(actor=moderator, topic=topic, community=community, request=request)
        messages.success(request, _("The topic is moved."))
    elif action == "delete":
        topic_soft_delete(actor=moderator, topic=topic, request=request)
        messages.success(request, _("The topic is deleted."))
        return redirect("forums:mod_queue")
    else:
        return render(request, "forums/moderation/bad_request.html", status=400)
    return redirect("forums:topic", pk=topic.pk)


@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def mod_suspend(request: HttpRequest, pk: int) -> HttpResponse:
    staff = _member(request)
    post = moderated_post_get_for_user_staff(staff, pk)
    if not can_suspend_from_forums(staff, post):
        raise Http404
    form = SuspendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member_suspend_from_post(actor=staff, post=post, reason=form.cleaned_data["reason"], request=request)
        except PermissionDenied:
            messages.info(request, _("This member cannot be suspended (already suspended, or yourself)."))
            return render(request, "forums/moderation/suspend.html", {"form": form, "post": post,
                                                                       "author_label": post_author_label(post)}, status=409)
        messages.success(request, _("The member is suspended and signed out everywhere."))
        return redirect("forums:mod_post", pk=post.pk) if _can_moderate(staff) else redirect("forums:search")
    status = 400 if request.method == "POST" else 200
    return render(request, "forums/moderation/suspend.html",
                  {"form": form, "post": post, "author_label": post_author_label(post)}, status=status)


def _can_moderate(user: User) -> bool:
    from peerhaven.forums.policies.moderation import can_moderate_forums

    return can_moderate_forums(user)


def moderated_post_get_for_user_staff(user: User, pk: int) -> Any:
    """Staff reach a post for suspension and reveal even without the moderator role."""
    from peerhaven.forums.models.posting import Post

    post = Post.objects.select_related("topic__community", "author__profile").filter(pk=pk, deleted_at__isnull=True).first()
    if post is None:
        raise Http404
    return post


# --- watched words -------------------------------------------------------------------------------
@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def watched_words_view(request: HttpRequest) -> HttpResponse:
    form = WatchedWordForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                watched_word_add(actor=_member(request), request=request, **form.cleaned_data)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The word is on the list."))
                return redirect("forums:watched_words")
        return render(request, "forums/moderation/watched_words.html", {"form": form, "words": watched_words()}, status=400)
    return render(request, "forums/moderation/watched_words.html", {"form": form, "words": watched_words()})


@role_required(Role.STAFF)
@require_POST
def watched_word_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = WatchedWord.objects.filter(pk=pk).first()
    if entry is None:
        raise Http404
    watched_word_remove(actor=_member(request), entry=entry, request=request)
    messages.success(request, _("The word is off the list."))
    return redirect("forums:watched_words")


# --- the relay -------------------------------------------------------------------------------------
@role_required(Role.MODERATOR)
@require_http_methods(["GET", "POST"])
def relay_moderator(request: HttpRequest, pk: int) -> HttpResponse:
    moderator = _member(request)
    post = moderated_post_get_for_user(moderator, pk)
    if not can_relay_as_moderator(moderator, post):
        raise Http404
    form = RelayForm(request.POST or None)
    context = {"post": post, "author_label": post_author_label(post), "thread": relay_thread(post), "form": form}
    if request.method == "POST":
        if form.is_valid() and _relay_phi_needs_ack(request, form):
            return render(request, "forums/moderation/relay_moderator.html", {**context, "phi_warning": True})
        if form.is_valid():
            try:
                relay_send_to_author(actor=moderator, post=post, body=form.cleaned_data["body"], request=request,
                                     phi_categories=_relay_phi_categories(form))
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Sent. The author is told there is a message, not who sent it or about what."))
                return redirect("forums:relay_moderator", pk=post.pk)
        status = 400
    else:
        relay_mark_read(actor=moderator, post=post, direction=RelayDirection.FROM_AUTHOR)
        status = 200
    return render(request, "forums/moderation/relay_moderator.html", context, status=status)


@require_http_methods(["GET", "POST"])
def relay_author(request: HttpRequest, pk: int) -> HttpResponse:
    author = _member(request)
    post = relay_post_get_for_author(author, pk)
    form = RelayForm(request.POST or None)
    context = {"post": post, "thread": relay_thread(post), "form": form}
    if request.method == "POST":
        if form.is_valid() and _relay_phi_needs_ack(request, form):
            return render(request, "forums/moderation/relay_author.html", {**context, "phi_warning": True})
        if form.is_valid():
            try:
                relay_reply_from_author(actor=author, post=post, body=form.cleaned_data["body"],
                                        phi_categories=_relay_phi_categories(form))
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Sent to the moderators. They still do not know it is you."))
                return redirect("forums:relay_author", pk=post.pk)
        status = 400
    else:
        relay_mark_read(actor=author, post=post, direction=RelayDirection.TO_AUTHOR)
        status = 200
    return render(request, "forums/moderation/relay_author.html", context, status=status)


@require_GET
def moderation_notices(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    return render(request, "forums/moderation/notices.html", {
        "warnings": warnings_for(member), "threads": relay_threads_for_author(member), "reveals": reveals_about(member),
    })


# --- the reveal ------------------------------------------------------------------------------------
@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def reveal_request_view(request: HttpRequest, pk: int) -> HttpResponse:
    staff = _member(request)
    post = moderated_post_get_for_user_staff(staff, pk)
    if not can_request_reveal(staff, post):
        raise Http404
    form = RevealForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                reveal_request_create(actor=staff, post=post, reason=form.cleaned_data["reason"], request=request)
            except ValidationError as error:
                _apply_errors(form, error)
            except ModerationConflict as conflict:
                messages.info(request, str(conflict))
                return redirect("forums:reveal_list")
            else:
                messages.success(request, _("The request waits for a second staff member."))
                return redirect("forums:reveal_list")
        return render(request, "forums/moderation/reveal_request.html", {"form": form, "post": post}, status=400)
    return render(request, "forums/moderation/reveal_request.html", {"form": form, "post": post})


@role_required(Role.STAFF)
@require_GET
def reveal_list(request: HttpRequest) -> HttpResponse:
    staff = _member(request)
    return render(request, "forums/moderation/reveal_list.html", {"reveals": reveal_requests()[:100], "me": staff})


@role_required(Role.STAFF)
@require_POST
def reveal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    staff = _member(request)
    reveal = reveal_get_for_staff(staff, pk)
    decision = request.POST.get("decision", "")
    if decision not in {"approve", "decline"}:
        return render(request, "forums/moderation/bad_request.html", status=400)
    try:
        reveal_request_decide(actor=staff, reveal=reveal, approve=decision == "approve", request=request)
    except ModerationConflict as conflict:
        return render(request, "forums/moderation/conflict.html", {"message": str(conflict)}, status=409)
    except PermissionDenied:
        return render(request, "forums/moderation/conflict.html",
                      {"message": _("A different staff member must decide a request you made.")}, status=403)
    messages.success(request, _("Approved. The author is told.") if decision == "approve" else _("Declined."))
    return redirect("forums:reveal_list")


@role_required(Role.STAFF)
@never_cache
@require_http_methods(["GET", "POST"])
def reveal_show_view(request: HttpRequest, pk: int) -> HttpResponse:
    staff = _member(request)
    reveal = reveal_get_for_staff(staff, pk)
    if not can_see_revealed_identity(staff, reveal) and request.method == "GET":
        return render(request, "forums/moderation/conflict.html",
                      {"message": _("This identity cannot be shown: the request is not approved, not yours, or was already shown.")},
                      status=409 if reveal.requested_by_id == staff.pk else 404)
    if request.method == "POST":
        try:
            identity = reveal_show(actor=staff, reveal=reveal, request=request)
        except ModerationConflict as conflict:
            return render(request, "forums/moderation/conflict.html", {"message": str(conflict)}, status=409)
        response = render(request, "forums/moderation/reveal_show.html", {"reveal": reveal, "identity": identity})
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "forums/moderation/reveal_show.html", {"reveal": reveal, "identity": None})


# --- digests and settings ------------------------------------------------------------------------
@verified_required
@require_http_methods(["GET", "POST"])
def digest_preferences(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    current = getattr(getattr(member, "forum_digest", None), "frequency", DigestFrequency.OFF)
    form = DigestForm(request.POST or None, initial={"frequency": current})
    if request.method == "POST":
        if form.is_valid():
            digest_preference_set(actor=member, frequency=form.cleaned_data["frequency"], request=request)
            messages.success(request, _("Your digest choice is saved."))
            return redirect("forums:digest_preferences")
        return render(request, "forums/moderation/digest_preferences.html", {"form": form}, status=400)
    return render(request, "forums/moderation/digest_preferences.html", {"form": form})


@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def forum_settings_view(request: HttpRequest) -> HttpResponse:
    form = ForumSettingsForm(request.POST or None, initial={"digest_titles": forum_settings().digest_titles})
    if request.method == "POST" and form.is_valid():
        forum_settings_update(actor=_member(request), digest_titles=form.cleaned_data["digest_titles"], request=request)
        messages.success(request, _("The forum settings are saved."))
        return redirect("forums:forum_settings")
    return render(request, "forums/moderation/settings.html", {"form": form})


# --- resource library ---------------------------------------------------------------------------
@verified_required
@require_GET
def library_view(request: HttpRequest) -> HttpResponse:
    form = LibraryFilterForm(request.GET or None)
    query = tag = ""
    if form.is_valid():
        query, tag = form.cleaned_data["q"], form.cleaned_data["tag"]
    return render(request, "forums/moderation/library.html", {
        "form": form, "resources": library(query=query, tag=tag)[:100],
        "mine": resources_suggested_by(_member(request))[:20],
    })


@verified_required
@require_GET
def resource_view(request: HttpRequest, pk: int) -> HttpResponse:
    resource = resource_get_for_user(_member(request), pk)
    return render(request, "forums/moderation/resource.html", {"resource": resource})


@verified_required
@require_GET
def resource_document(request: HttpRequest, pk: int) -> HttpResponse:
    resource = resource_get_for_user(_member(request), pk)
    if not resource.document_path:
        raise Http404
    response = HttpResponse(resource_document_read(resource), content_type=resource.document_type)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(resource.document_type, "bin")
    response["Content-Disposition"] = f'attachment; filename="resource-{resource.pk}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@verified_required
@require_http_methods(["GET", "POST"])
def resource_suggest_view(request: HttpRequest) -> HttpResponse:
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                resource_suggest(actor=_member(request), title=data["title"], kind=data["kind"], url=data["url"],
                                 summary=data["summary"], tags=data["tags"], upload=data["document"], request=request)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Thank you. A moderator will review your suggestion."))
                return redirect("forums:library")
        return render(request, "forums/moderation/resource_suggest.html", {"form": form}, status=400)
    return render(request, "forums/moderation/resource_suggest.html", {"form": form})


def _publish_form(user: User, data: Any = None) -> PublishForm:
    form = PublishForm(data)
    form.fields["community"].choices = [(c.pk, c.name) for c in moveable_communities(user)]  # type: ignore[attr-defined]
    return form


@role_required(Role.MODERATOR)
@require_GET
def resource_review(request: HttpRequest) -> HttpResponse:
    moderator = _member(request)
    return render(request, "forums/moderation/resource_review.html", {
        "suggestions": resource_suggestions()[:100], "publish_form": _publish_form(moderator),
    })


@role_required(Role.MODERATOR)
@require_POST
def resource_decide(request: HttpRequest, pk: int) -> HttpResponse:
    moderator = _member(request)
    resource = resource_get_for_user(moderator, pk)
    if resource.status != ResourceStatus.SUGGESTED:
        return render(request, "forums/moderation/conflict.html", {"message": _("This suggestion was already decided.")}, status=409)
    decision = request.POST.get("decision", "")
    try:
        if decision == "publish":
            form = _publish_form(moderator, request.POST)
            if not form.is_valid():
                return render(request, "forums/moderation/bad_request.html", status=400)
            community = moveable_communities(moderator).get(pk=form.cleaned_data["community"])
            resource_publish(actor=moderator, resource=resource, community=community, request=request)
            messages.success(request, _("Published, with its own discussion topic."))
        elif decision == "decline":
            resource_decline(actor=moderator, resource=resource, request=request)
            messages.success(request, _("The suggestion is declined."))
        else:
            return render(request, "forums/moderation/bad_request.html", status=400)
    except ModerationConflict as conflict:
        return render(request, "forums/moderation/conflict.html", {"message": str(conflict)}, status=409)
    return redirect("forums:resource_review")
