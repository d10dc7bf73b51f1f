"""Forms for submitting a licence, answering a verifier, and deciding a submission."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerhaven.verification.documents import CheckedDocument, check_upload
from peerhaven.verification.models import LicenceType, SubmissionStatus

_DOCUMENT_HELP = _(
    "Optional. A PDF, JPEG or PNG of your licence, up to 10 MB. Photos are cleaned of hidden "
    "details (such as location) before they are stored, encrypted."
)
_ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"


def _checked_document(upload: Any) -> CheckedDocument | None:
    if not upload:
        return None
    if not isinstance(upload, UploadedFile):
        raise forms.ValidationError(_("Please choose a file to upload."), code="invalid")
    return check_upload(upload)


class LicenceSubmitForm(forms.Form):
    licence_type = forms.ChoiceField(label=_("Licence type"), choices=LicenceType.choices)
    number = forms.CharField(
        label=_("Licence number"), max_length=64,
        help_text=_("Stored encrypted. Only verifiers see it in full."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    jurisdiction = forms.CharField(
        label=_("Issuing jurisdiction"), max_length=120,
        help_text=_("The state, province or country whose board issued the licence."),
    )
    expires_on = forms.DateField(
        label=_("Expiry date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    document = forms.FileField(
        label=_("Licence document"), required=False, help_text=_DOCUMENT_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": _ACCEPT}),
    )

    def clean_expires_on(self) -> Any:
        expires_on = self.cleaned_data["expires_on"]
        if expires_on <= timezone.localdate():
            raise forms.ValidationError(
                _("This date has passed. Please submit a licence that is still current."), code="expired"
            )
        return expires_on

    def clean_document(self) -> CheckedDocument | None:
        return _checked_document(self.cleaned_data.get("document"))


class LicenceReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Your answer to the verifier"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Please do not include anything about a client."),
    )
    document = forms.FileField(
        label=_("A new document (optional)"), required=False, help_text=_DOCUMENT_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": _ACCEPT}),
    )

    def clean_document(self) -> CheckedDocument | None:
        return _checked_document(self.cleaned_data.get("document"))


class ApproveForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I checked this licence with the issuing board's public register."), required=True
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, shown to the member"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RequestInfoForm(forms.Form):
    question = forms.CharField(
        label=_("What do you need from the member?"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("Any status")), *SubmissionStatus.choices],
    )
    licence_type = forms.ChoiceField(
        label=_("Licence type"), required=False, choices=[("", _("Any type")), *LicenceType.choices]
    )
    jurisdiction = forms.CharField(label=_("Jurisdiction contains"), required=False, max_length=120)
