"""Profile, sign-up preferences, terms and account-erasure forms."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from peerhaven.accounts.models import PROFILE_VISIBILITY_DEFAULTS, Profile, Visibility

_LIST_FIELDS = ("specialties", "modalities", "languages")
_TIME_ZONES = sorted(zoneinfo.available_timezones())
_TIME_ZONE_SET = frozenset(_TIME_ZONES)


class CommaListField(forms.CharField):
    """A short list typed as comma-separated words ("grief, trauma")."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        items = [item.strip() for item in text.split(",") if item.strip()]
        if len(items) > 20:
            raise forms.ValidationError(_("Please list at most 20 items."))
        if any(len(item) > 60 for item in items):
            raise forms.ValidationError(_("Keep each item under 60 characters."))
        return items


class ProfileForm(forms.ModelForm):
    specialties = CommaListField(label=_("Specialties"), required=False, help_text=_("Separate with commas."))
    modalities = CommaListField(label=_("Modalities"), required=False, help_text=_("Separate with commas."))
    languages = CommaListField(label=_("Languages you can offer support in"), required=False, help_text=_("Separate with commas."))
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=[(tz, tz) for tz in _TIME_ZONES])

    class Meta:
        model = Profile
        fields = [
            "display_name", "pseudonym", "default_identity", "pronouns", "profession", "specialties",
            "modalities", "languages", "country", "region", "time_zone", "employer", "bio",
        ]
        labels = {"default_identity": _("In the community, appear as")}
        help_texts = {
            "pseudonym": _("Shown instead of your name in the community by default."),
            "employer": _("Private. Used only to keep you from being matched with colleagues."),
            "country": _("Two-letter country code, for example GB or US."),
        }
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.visibility if self.instance and self.instance.pk else {}
        for field_name, default in PROFILE_VISIBILITY_DEFAULTS.items():
            self.fields[f"visibility_{field_name}"] = forms.ChoiceField(
                label=_("Who can see: %(field)s") % {"field": self.fields[field_name].label},
                choices=Visibility.choices,
                initial=current.get(field_name, default),
            )

    def clean_country(self) -> str:
        country = (self.cleaned_data.get("country") or "").strip().upper()
        if country and (len(country) != 2 or not country.isalpha()):
            raise forms.ValidationError(_("Use a two-letter country code, for example GB."))
        return country

    def clean_pseudonym(self) -> str:
        pseudonym = (self.cleaned_data.get("pseudonym") or "").strip()
        if pseudonym and Profile.objects.filter(pseudonym__iexact=pseudonym).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("That pseudonym is taken. Please choose another."))
        return pseudonym

    def changes(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["visibility"] = {
            name: self.cleaned_data[f"visibility_{name}"] for name in PROFILE_VISIBILITY_DEFAULTS
        }
        return data


class SignupPreferencesForm(forms.Form):
    """Fields allauth adds to its sign-up form (ACCOUNT_SIGNUP_FORM_CLASS): the browser's time
    zone, filled in by static/js/time-zone.js, and the language the visitor is reading in.
    Both are changeable later (profile, settings)."""

    time_zone = forms.CharField(
        required=False, max_length=64,
        widget=forms.HiddenInput(attrs={"data-detect-time-zone": ""}),
    )

    def clean_time_zone(self) -> str:
        # Hidden and filled by script: an unknown or missing zone is not the visitor's mistake
        # to correct, so it falls back to the default instead of failing the sign-up.
        time_zone = (self.cleaned_data.get("time_zone") or "").strip()
        return time_zone if time_zone in _TIME_ZONE_SET else ""

    def signup(self, request: HttpRequest, user: Any) -> None:
        """Called by allauth once the member exists (after the adapter made their profile)."""
        from peerhaven.accounts.services import profile_update

        changes: dict[str, str] = {}
        # LocaleMiddleware already chose it: the switcher's cookie, else Accept-Language.
        language = translation.get_language_from_request(request)
        if language in dict(settings.LANGUAGES):
            changes["language"] = language
        if self.cleaned_data.get("time_zone"):
            changes["time_zone"] = self.cleaned_data["time_zone"]
        if changes:
            profile_update(actor=user, request=None, **changes)


class TermsAcceptForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read and accept the terms of use and the community guidelines."), required=True
    )


class PostsAfterErasure(models.TextChoices):
    REMOVE = "remove", _("Remove everything I posted in the community")
    KEEP = "keep", _("Keep my posts, shown as written by a “former member”")


# What the member types to confirm erasure (translated, so typed in their own language).
ERASURE_PHRASE = _("delete my account")


class ErasureForm(forms.Form):
    posts = forms.ChoiceField(
        label=_("What should happen to what you posted in the community?"),
        choices=PostsAfterErasure.choices,
        widget=forms.RadioSelect,
    )
    confirmation = forms.CharField(
        max_length=60, widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built per request: the phrase is in the member's language.
        self.fields["confirmation"].label = _("To confirm, type: %(phrase)s") % {"phrase": ERASURE_PHRASE}

    def clean_confirmation(self) -> str:
        typed = " ".join(self.cleaned_data.get("confirmation", "").split()).casefold()
        if typed != str(ERASURE_PHRASE).casefold():
            raise forms.ValidationError(
                _("Please type exactly: %(phrase)s") % {"phrase": ERASURE_PHRASE}, code="mismatch"
            )
        return typed

    @property
    def keep_posts_as_former_member(self) -> bool:
        return self.cleaned_data["posts"] == PostsAfterErasure.KEEP
