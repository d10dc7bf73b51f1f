"""Staff console forms, and the sign-up form that applies the membership policy."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm
from allauth.core import context
from django import forms
from django.utils.translation import gettext_lazy as _

from peerhaven.accounts.models import Role, VerificationStatus
from peerhaven.staff.models import MembershipPolicy, normalise_domain
from peerhaven.staff.policies import DIRECT_ROLES, can_sign_up_with
from peerhaven.staff.selectors import membership_policy, session_invitation


class MembershipSignupForm(SignupForm):
    """allauth's sign-up form, refusing addresses the membership policy does not admit.

    The answer depends on the policy and the invitation only: an address that already has an
    account gets the same answer as one that has none (allauth then mails its owner instead)."""

    def clean_email(self) -> str:
        email = super().clean_email()
        request = context.request
        invitation = session_invitation(request) if request is not None else None
        if email and not can_sign_up_with(membership_policy(), email, invitation):
            raise forms.ValidationError(
                _(
                    "This address cannot join here. Membership is by invitation or for addresses "
                    "of member organisations; please contact the staff if you think you should be able to join."
                ),
                code="not_admitted",
            )
        return email


class DomainListField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return sorted({normalise_domain(part) for part in text.replace(",", "\n").splitlines()} - {""})


class MembershipPolicyForm(forms.ModelForm):
    allowed_domains = DomainListField(
        label=_("E-mail domains that may sign up"), required=False,
        help_text=_("One per line, for example clinic.example.org. Leave empty for none."),
    )

    class Meta:
        model = MembershipPolicy
        fields = ["open_signup", "invitations", "allowed_domains"]
        labels = {
            "open_signup": _("Anyone may sign up (their licence is verified after joining)"),
            "invitations": _("Invited addresses may sign up"),
        }


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address to invite"), max_length=254)


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("E-mail or pseudonym contains"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("Any")), *Role.choices])
    verification_status = forms.ChoiceField(
        label=_("Licence"), required=False, choices=[("", _("Any")), *VerificationStatus.choices]
    )
    suspended = forms.ChoiceField(
        label=_("Suspended"), required=False,
        choices=[("", _("Any")), ("yes", _("Suspended")), ("no", _("Not suspended"))],
    )
    joined_since = forms.DateField(label=_("Joined from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    joined_until = forms.DateField(label=_("Joined until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[(role.value, role.label) for role in DIRECT_ROLES])


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (kept for staff only, never sent to the member)"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MfaResetForm(forms.Form):
    video_call_with_id = forms.BooleanField(label=_("Video call: the member showed photo ID"), required=False)
    licence_number_matched = forms.BooleanField(label=_("The licence number they gave matches our records"), required=False)
    known_contact_confirmed = forms.BooleanField(label=_("Confirmed through a contact we already knew"), required=False)
    note = forms.CharField(
        label=_("Note on the checks (staff only, encrypted)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(cleaned.get(name) for name in ("video_call_with_id", "licence_number_matched", "known_contact_confirmed")):
            raise forms.ValidationError(_("Record at least one identity check before asking for a reset."))
        return cleaned


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("decline", _("Decline"))])
