"""Forms for crisis resources, reports and their review."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from peerhaven.safety.models import CrisisResource, ReportReason, ReportStatus

_COUNTRY = re.compile(r"^[A-Z]{2}$")
DETAILS_MAX = 2000


class CrisisResourceForm(forms.ModelForm):
    url = forms.URLField(label=_("Web address"), required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = CrisisResource
        fields = ["country", "name", "phone", "text", "url", "description", "order", "is_active"]
        labels = {"order": _("Order within the country"), "is_active": _("Shown on the crisis page")}
        help_texts = {
            "country": _("Two-letter country code, for example GB or US. Leave empty for everywhere."),
            "text": _("For example: Text 988."),
        }

    def clean_country(self) -> str:
        country = str(self.cleaned_data.get("country") or "").strip().upper()
        if country and not _COUNTRY.match(country):
            raise forms.ValidationError(_("Use a two-letter country code, or leave it empty."))
        return country


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong?"), choices=[("", _("Choose a reason")), *ReportReason.choices]
    )
    details = forms.CharField(
        label=_("Anything a moderator should know"),
        required=False,
        max_length=DETAILS_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional. Please do not include anything that could identify a client."),
    )


class ReportReviewForm(forms.Form):
    DISMISS = "dismiss"
    ACTION = "action"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("", _("Choose a decision")),
            (DISMISS, _("Dismiss: no action needed")),
            (ACTION, _("Mark as actioned")),
        ],
    )
    note = forms.CharField(
        label=_("Resolution note"),
        required=False,
        max_length=DETAILS_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For moderators only. Required when marking as actioned: say what was done."),
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == self.ACTION and not str(cleaned.get("note") or "").strip():
            self.add_error("note", _("Say what was done, for the record."))
        return cleaned


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *ReportStatus.choices]
    )
    reason = forms.ChoiceField(
        label=_("Reason"), required=False, choices=[("", _("Any reason")), *ReportReason.choices]
    )
