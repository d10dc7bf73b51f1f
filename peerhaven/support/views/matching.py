"""Matching pages: find a supporter, suggestions, the member's preferences and exclusions, the
supporter's buddy and calendar import, the seeker's feedback, and the staff's aggregates.

Nothing here ever says why a supporter is not listed: excluded pairs simply do not appear.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerhaven.accounts.models import Role, User
from peerhaven.core.audit import audit_log
from peerhaven.core.policies import has_role, role_required, verified_required
from peerhaven.support.models import (
    FEEDBACK_COMMENT_MAX_LENGTH,
    CalendarImportStatus,
    RelationshipKind,
    Specialty,
    SupporterProfile,
)
from peerhaven.support.policies.matching import (
    approved_supporter_profile,
    can_give_feedback,
    feedback_booking_get_for_user,
)
from peerhaven.support.selectors.matching import (
    SearchFilters,
    buddy_candidates,
    buddy_view,
    calendar_import_of,
    feedback_aggregates,
    feedback_comments,
    filter_options,
    language_name,
    my_declared_relationships,
    my_never_match,
    my_preference,
    suggestions_for,
    supporters_search,
)
from peerhaven.support.services.matching import (
    LABEL_MAX_LENGTH,
    DebriefTooSoon,
    buddy_remove,
    buddy_set,
    debrief_request,
    feedback_give,
    never_match_add,
    never_match_remove,
    preference_clear,
    preference_update,
    relationship_declare,
    relationship_remove,
)

# The one sentence shown after adding an entry: the same whether or not the person is a member.
SAVED_ENTRY = gettext_lazy("Saved. If this person is a member, the two of you will not be matched.")


def _member(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # members-only views: the middleware signed-in check ran
    return user


# --- forms ---------------------------------------------------------------------------------------
def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class SearchForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False)
    specialty = forms.ChoiceField(label=gettext_lazy("Topic"), required=False)
    jurisdiction = forms.ChoiceField(label=gettext_lazy("Jurisdiction"), required=False)
    session_length = forms.TypedChoiceField(label=gettext_lazy("Session length"), required=False, coerce=int, empty_value=None)
    available_soon = forms.BooleanField(label=gettext_lazy("Available in the next 48 hours"), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, options: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        _choices(self, "language").choices = anything + options.languages
        _choices(self, "specialty").choices = anything + options.specialties
        _choices(self, "jurisdiction").choices = anything + [(code, code) for code in options.jurisdictions]
        _choices(self, "session_length").choices = anything + [
            (str(length), _("%(minutes)d minutes") % {"minutes": length}) for length in options.session_lengths
        ]


class PreferenceForm(forms.Form):
    needs = forms.MultipleChoiceField(
        label=gettext_lazy("What would you like to talk about?"), required=False, choices=Specialty.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=gettext_lazy("Languages you would like to speak"), required=False, widget=forms.CheckboxSelectMultiple
    )
    session_length = forms.TypedChoiceField(
        label=gettext_lazy("Preferred session length"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, options: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.conf import settings

        codes: set[str] = {str(code) for code, _name in options.languages} | {str(code) for code, _name in settings.LANGUAGES}
        named: list[tuple[str, str]] = sorted(((code, language_name(code)) for code in codes), key=lambda item: item[1])
        _choices(self, "languages").choices = named
        _choices(self, "session_length").choices = [("", _("No preference"))] + [
            (str(length), _("%(minutes)d minutes") % {"minutes": length}) for length in options.session_lengths
        ]


class RelationshipForm(forms.Form):
    label = forms.CharField(
        label=gettext_lazy("Their pseudonym or e-mail address"), max_length=LABEL_MAX_LENGTH,
        help_text=gettext_lazy("They are never told, and this page never says whether they are a member."),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Relationship"), choices=RelationshipKind.choices)


class NeverMatchForm(forms.Form):
    label = forms.CharField(
        label=gettext_lazy("Their pseudonym or e-mail address"), max_length=LABEL_MAX_LENGTH,
        help_text=gettext_lazy("Private to you. They are never told."),
    )


class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(
        label=gettext_lazy("Was the session helpful?"), choices=[("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))],
        coerce=lambda value: value == "yes", widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("A comment for the staff (optional)"), required=False, max_length=FEEDBACK_COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Only staff read it, never the supporter. Please leave out names and anything that could identify a client."),
    )


class BuddyForm(forms.Form):
    buddy = forms.TypedChoiceField(label=gettext_lazy("Your buddy"), coerce=int)

    def __init__(self, *args: Any, candidates: list[SupporterProfile], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "buddy").choices = [(str(candidate.pk), candidate.user.public_name) for candidate in candidates]


# --- finding a supporter ------------------------------------------------------------------------
@verified_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    options = filter_options(member)
    form = SearchForm(request.GET or None, options=options)
    filters = SearchFilters()
    page_number = 1
    if request.GET and form.is_valid():
        data = form.cleaned_data
        filters = SearchFilters(
            language=data["language"] or "", specialty=data["specialty"] or "", jurisdiction=data["jurisdiction"] or "",
            session_length=data["session_length"], available_soon=bool(data["available_soon"]),
        )
        page_number = data["page"] or 1
    page = supporters_search(member, filters, page=page_number)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "support/matching/search.html", {
        "form": form, "page": page, "query": query.urlencode(), "specialty_labels": dict(Specialty.choices),
        "cards": _cards(page.supporters, page.first_slots),
    }, status=200 if not request.GET or form.is_valid() else 400)


def _cards(supporters: list[SupporterProfile], first_slots: dict[int, Any]) -> list[dict[str, Any]]:
    specialty_labels = dict(Specialty.choices)
    return [
        {
            "supporter": supporter,
            "name": supporter.user.public_name,
            "languages": [language_name(code) for code in supporter.languages],
            "specialties": [specialty_labels.get(code, code) for code in supporter.specialties],
            "first_slot": first_slots.get(supporter.pk),
        }
        for supporter in supporters
    ]


@verified_required
@require_GET
def suggestions(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    found = suggestions_for(member, viewer_zone=timezone.get_current_timezone())
    cards = _cards([item.supporter for item in found], {item.supporter.pk: item.first_slot for item in found if item.first_slot})
    for card, item in zip(cards, found, strict=True):
        card["labels"] = item.labels
    return render(request, "support/matching/suggestions.html", {
        "cards": cards, "has_preference": my_preference(member) is not None,
    })


@verified_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    options = filter_options(member)
    current = my_preference(member)
    initial = {"needs": current.needs, "languages": current.languages, "session_length": current.session_length} if current else {}
    if request.method == "POST" and request.POST.get("action") == "clear":
        preference_clear(actor=member, request=request)
        messages.success(request, _("Your matching preferences are cleared."))
        return redirect("support:preferences")
    form = PreferenceForm(request.POST or None, initial=initial, options=options)
    if request.method == "POST":
        if form.is_valid():
            try:
                preference_update(actor=member, request=request, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your matching preferences are saved."))
                return redirect("support:suggestions")
        return render(request, "support/matching/preferences.html", {"form": form, "current": current}, status=400)
    return render(request, "support/matching/preferences.html", {"form": form, "current": current})


# --- exclusions ----------------------------------------------------------------------------------
def _exclusions_page(
    request: HttpRequest, *, relationship_form: RelationshipForm | None = None,
    never_form: NeverMatchForm | None = None, status: int = 200,
) -> HttpResponse:
    member = _member(request)
    return render(request, "support/matching/exclusions.html", {
        "relationships": my_declared_relationships(member),
        "never_match": my_never_match(member),
        "relationship_form": relationship_form or RelationshipForm(auto_id="id_relationship_%s"),
        "never_form": never_form or NeverMatchForm(auto_id="id_never_%s"),
    }, status=status)


@verified_required
@require_GET
def exclusions(request: HttpRequest) -> HttpResponse:
    return _exclusions_page(request)


@verified_required
@require_POST
def relationship_add(request: HttpRequest) -> HttpResponse:
    form = RelationshipForm(request.POST, auto_id="id_relationship_%s")
    if form.is_valid():
        try:
            relationship_declare(actor=_member(request), request=request, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("label", error)
        else:
            messages.success(request, str(SAVED_ENTRY))
            return redirect("support:exclusions")
    return _exclusions_page(request, relationship_form=form, status=400)


@verified_required
@require_POST
def relationship_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not relationship_remove(actor=_member(request), pk=pk, request=request):
        raise Http404
    messages.success(request, _("The entry is removed."))
    return redirect("support:exclusions")


@verified_required
@require_POST
def never_match_add_view(request: HttpRequest) -> HttpResponse:
    form = NeverMatchForm(request.POST, auto_id="id_never_%s")
    if form.is_valid():
        try:
            never_match_add(actor=_member(request), request=request, label=form.cleaned_data["label"])
        except ValidationError as error:
            form.add_error("label", error)
        else:
            messages.success(request, str(SAVED_ENTRY))
            return redirect("support:exclusions")
    return _exclusions_page(request, never_form=form, status=400)


@verified_required
@require_POST
def never_match_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not never_match_remove(actor=_member(request), pk=pk, request=request):
        raise Http404
    messages.success(request, _("The entry is removed."))
    return redirect("support:exclusions")


# --- supporters' own tools ------------------------------------------------------------------------
def _supporter_tool(request: HttpRequest) -> SupporterProfile | None:
    """Holders of the supporter role; others get a 404 (the tools are not advertised). A role
    holder whose profile is not approved yet sees a kind explanation (None)."""
    member = _member(request)
    if not has_role(member, Role.SUPPORTER):
        raise Http404
    return approved_supporter_profile(member)


@require_http_methods(["GET", "POST"])
def buddy(request: HttpRequest) -> HttpResponse:
    supporter = _supporter_tool(request)
    if supporter is None:
        return render(request, "support/matching/not_a_supporter.html")
    member = _member(request)
    candidates = buddy_candidates(supporter)
    form = BuddyForm(request.POST or None, candidates=candidates)
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "remove":
            buddy_remove(actor=member, supporter=supporter, request=request)
            messages.success(request, _("You no longer have a buddy named."))
            return redirect("support:buddy")
        if form.is_valid():
            chosen = next(candidate for candidate in candidates if candidate.pk == form.cleaned_data["buddy"])
            try:
                buddy_set(actor=member, supporter=supporter, buddy=chosen, request=request)
            except ValidationError as error:
                form.add_error("buddy", error)
            else:
                messages.success(request, _("Your buddy is saved. Only the two of you can see it."))
                return redirect("support:buddy")
        status = 400
    return render(request, "support/matching/buddy.html", {
        "supporter": supporter, "view": buddy_view(supporter), "form": form, "has_candidates": bool(candidates),
    }, status=status)


@require_POST
def buddy_debrief(request: HttpRequest) -> HttpResponse:
    supporter = _supporter_tool(request)
    if supporter is None:
        messages.error(request, _("Buddies are for approved supporters."))
        return redirect("support:buddy")
    try:
        debrief_request(actor=_member(request), supporter=supporter, request=request)
    except (ValidationError, DebriefTooSoon, PermissionDenied) as refusal:
        messages.error(request, refusal.messages[0] if isinstance(refusal, ValidationError) else str(refusal))
    else:
        messages.success(request, _("Your buddy is told you would like a debrief. No details are shared."))
    return redirect("support:buddy")


@require_GET
def calendar_import(request: HttpRequest) -> HttpResponse:
    supporter = _supporter_tool(request)
    if supporter is None:
        return render(request, "support/matching/not_a_supporter.html")
    return render(request, "support/matching/calendar_import.html", {
        "supporter": supporter, "record": calendar_import_of(supporter), "has_feed": bool(supporter.ics_feed_url),
        "statuses": CalendarImportStatus,
    })


@require_POST
def calendar_import_refresh(request: HttpRequest) -> HttpResponse:
    from peerhaven.support.tasks import refresh_calendar_feed

    supporter = _supporter_tool(request)
    if supporter is None or not supporter.ics_feed_url:
        messages.error(request, _("Add your calendar's address first."))
        return redirect("support:calendar_import")
    refresh_calendar_feed.enqueue(supporter.pk)
    messages.success(request, _("Your calendar will be read again in a moment."))
    return redirect("support:calendar_import")


# --- feedback ------------------------------------------------------------------------------------
@verified_required
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    booking = feedback_booking_get_for_user(member, pk)
    allowed = can_give_feedback(member, booking)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST":
        if not allowed:
            return render(request, "support/matching/feedback.html", {"form": None, "booking": booking}, status=409)
        if form.is_valid():
            try:
                feedback_give(actor=member, booking=booking, request=request, **form.cleaned_data)
            except ValidationError as error:
                form.add_error("comment", error)
            except PermissionDenied:
                return render(request, "support/matching/feedback.html", {"form": None, "booking": booking}, status=409)
            else:
                messages.success(request, _("Thank you. Your feedback goes to the staff only."))
                return redirect("support:suggestions")
        return render(request, "support/matching/feedback.html", {"form": form, "booking": booking}, status=400)
    return render(request, "support/matching/feedback.html", {"form": form if allowed else None, "booking": booking})


@role_required(Role.STAFF)
@require_GET
def feedback_aggregates_view(request: HttpRequest) -> HttpResponse:
    # Comments are read by staff: every look is audited (the entry names no session or person).
    audit_log("support.feedback.view_aggregates", actor=_member(request), request=request)
    return render(request, "support/matching/feedback_aggregates.html", {
        "months": feedback_aggregates(), "comments": feedback_comments(),
    })
