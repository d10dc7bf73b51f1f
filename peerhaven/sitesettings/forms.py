"""The staff form for the instance settings."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from peerhaven.core.programmes import PROGRAMMES
from peerhaven.sitesettings.colours import validate_accessible_colour
from peerhaven.sitesettings.logo import ProcessedLogo, logo_process
from peerhaven.sitesettings.models import InstanceSettings, validate_time_zone
from peerhaven.sitesettings.services import EDITABLE_FIELDS as SETTINGS_FIELDS

_COLOUR_HELP = _("# and six hexadecimal digits. It must keep a contrast of at least 4.5:1 with white text.")


class InstanceSettingsForm(forms.Form):
    organisation_name = forms.CharField(label=_("Organisation name"), max_length=80)
    logo = forms.FileField(
        label=_("Logo"), required=False,
        help_text=_("PNG or JPEG, at most 1 MB. It is shown beside the organisation name."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)
    primary_colour = forms.CharField(
        label=_("Primary colour"), max_length=7, help_text=_COLOUR_HELP, validators=[validate_accessible_colour],
        widget=forms.TextInput(attrs={"pattern": "#[0-9a-fA-F]{6}", "autocomplete": "off", "spellcheck": "false"}),
    )
    accent_colour = forms.CharField(
        label=_("Accent colour"), max_length=7, help_text=_COLOUR_HELP, validators=[validate_accessible_colour],
        widget=forms.TextInput(attrs={"pattern": "#[0-9a-fA-F]{6}", "autocomplete": "off", "spellcheck": "false"}),
    )
    contact_email = forms.EmailField(label=_("Contact e-mail address"))
    default_time_zone = forms.ChoiceField(
        label=_("Default time zone"), validators=[validate_time_zone],
        help_text=_("For visitors, and for new members until they choose their own."),
    )
    default_language = forms.ChoiceField(
        label=_("Default language"), choices=settings.LANGUAGES,
        help_text=_("For visitors whose browser asks for none of our languages."),
    )
    enabled_programmes = forms.MultipleChoiceField(
        label=_("Programmes switched on"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Programmes switched off disappear from the services page and the members' home."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        time_zone_field = self.fields["default_time_zone"]
        programmes_field = self.fields["enabled_programmes"]
        assert isinstance(time_zone_field, forms.ChoiceField) and isinstance(programmes_field, forms.ChoiceField)
        time_zone_field.choices = [(name, name) for name in sorted(zoneinfo.available_timezones())]
        programmes_field.choices = [(programme.slug, programme.title) for programme in PROGRAMMES]
        self.processed_logo: ProcessedLogo | None = None

    @classmethod
    def initial_from(cls, current: InstanceSettings) -> dict[str, Any]:
        return {field: getattr(current, field) for field in SETTINGS_FIELDS}

    def clean_primary_colour(self) -> str:
        return str(self.cleaned_data["primary_colour"]).lower()

    def clean_accent_colour(self) -> str:
        return str(self.cleaned_data["accent_colour"]).lower()

    def clean_organisation_name(self) -> str:
        return str(self.cleaned_data["organisation_name"]).strip()

    def clean_logo(self) -> Any:
        upload = self.cleaned_data.get("logo")
        if upload:
            self.processed_logo = logo_process(upload)
        return upload

    def clean_enabled_programmes(self) -> list[str]:
        chosen = set(self.cleaned_data.get("enabled_programmes") or [])
        # Kept in the catalogue's order, so that the saved list compares equal when unchanged.
        return [programme.slug for programme in PROGRAMMES if programme.slug in chosen]

    def changes(self) -> dict[str, Any]:
        return {field: self.cleaned_data[field] for field in SETTINGS_FIELDS}
