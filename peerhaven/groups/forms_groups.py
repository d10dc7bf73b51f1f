"""Forms for the groups concern: a group's details, its agreement and its acceptance, invitations,
the directory's filters, and the PHI-guarded editors for threads, posts, case presentations and
comments (block mode: case material must be de-identified)."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django import forms
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext_lazy as _

from peerhaven.groups.models.groups import (
    Group,
    GroupKind,
    GroupVisibility,
    JoinPolicy,
    TimeZoneBand,
)
from peerhaven.groups.selectors.groups import max_group_size
from peerhaven.safety.phi_forms import PhiGuardedFormMixin

TEXTAREA = forms.Textarea(attrs={"rows": 5})


@cache
def language_choices() -> list[tuple[str, str]]:
    names = {
        code: str(info["name"]) for code, info in LANG_INFO.items()
        if "name" in info and len(code) == 2
    }
    return sorted(names.items(), key=lambda item: item[1])


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(zone for zone in zoneinfo.available_timezones() if "/" in zone or zone == "UTC")
    return [(zone, zone.replace("_", " ")) for zone in zones]


def _split_jurisdictions(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


class GroupForm(forms.ModelForm[Group]):
    language = forms.ChoiceField(label=_("Language"), choices=())
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=(),
                                  help_text=_("Meetings are scheduled in this time zone."))
    jurisdictions = forms.CharField(
        label=_("Jurisdictions"), required=False, max_length=800,
        help_text=_("States, provinces or countries the group is for, separated by commas (optional)."),
    )

    class Meta:
        model = Group
        fields = ["name", "description", "kind", "visibility", "join_policy", "capacity", "language", "time_zone"]
        widgets = {"description": TEXTAREA, "visibility": forms.RadioSelect, "join_policy": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices("language", language_choices())
        self._set_choices("time_zone", time_zone_choices())
        limit = max_group_size()
        self.fields["capacity"].widget.attrs.update({"min": 2, "max": limit})
        self.fields["capacity"].help_text = _("At most %(limit)d members, facilitators included.") % {"limit": limit}
        if self.instance.pk:
            self.initial.setdefault("jurisdictions", ", ".join(j.name for j in self.instance.jurisdictions.all()))

    def _set_choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean_jurisdictions(self) -> list[str]:
        return _split_jurisdictions(self.cleaned_data.get("jurisdictions") or "")

    def clean_capacity(self) -> int:
        capacity = int(self.cleaned_data["capacity"])
        limit = max_group_size()
        if capacity > limit:
            raise forms.ValidationError(_("Groups hold at most %(limit)d members here.") % {"limit": limit})
        return capacity


class GroupCreateForm(GroupForm):
    agreement_text = forms.CharField(
        label=_("Group agreement"), max_length=8000, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The confidentiality pledge and ground rules members accept to join."),
    )


class AgreementForm(forms.Form):
    text = forms.CharField(label=_("Group agreement"), max_length=8000, widget=forms.Textarea(attrs={"rows": 10}))


class AgreementAcceptForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    accept = forms.BooleanField(
        label=_("I have read this agreement and I accept it, including keeping what is shared in the "
                "group confidential."),
    )


class InviteForm(forms.Form):
    pseudonym = forms.CharField(label=_("Member's pseudonym"), max_length=40)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=(("member", _("Member")), ("facilitator", _("Facilitator"))))


class GroupSettingsForm(forms.Form):
    max_group_size = forms.IntegerField(label=_("Largest group size"), min_value=2, max_value=50)


class DirectoryFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind")), *GroupKind.choices])
    language = forms.ChoiceField(label=_("Language"), required=False, choices=())
    band = forms.ChoiceField(label=_("Time-zone band"), required=False,
                             choices=[("", _("Any time zone")), *TimeZoneBand.choices])
    jurisdiction = forms.CharField(label=_("Jurisdiction"), required=False, max_length=80)
    open_seats = forms.BooleanField(label=_("Only groups with open seats"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Any language")), *language_choices()]


# --- case material, checked by the PHI guard ---------------------------------------------------
class ThreadForm(PhiGuardedFormMixin, forms.Form):
    phi_fields = ("title", "body")
    phi_mode = "block"

    title = forms.CharField(label=_("Title"), max_length=140)
    body = forms.CharField(label=_("Message"), max_length=10_000, widget=TEXTAREA)


class PostForm(PhiGuardedFormMixin, forms.Form):
    phi_fields = ("body",)
    phi_mode = "block"

    body = forms.CharField(label=_("Your reply"), max_length=10_000, widget=TEXTAREA)


class EditPostForm(PhiGuardedFormMixin, forms.Form):
    phi_fields = ("body",)
    phi_mode = "block"

    body = forms.CharField(label=_("Your post"), max_length=10_000, widget=TEXTAREA)


class PresentationForm(PhiGuardedFormMixin, forms.Form):
    phi_fields = ("title", "presenting_question", "context", "vignette", "needs")
    phi_mode = "block"

    title = forms.CharField(label=_("Title"), max_length=140,
                            help_text=_("A short, non-identifying title, e.g. “Stuck with a client's anger”."))
    presenting_question = forms.CharField(label=_("Presenting question"), max_length=6000, widget=TEXTAREA,
                                          help_text=_("What question do you bring to the group?"))
    context = forms.CharField(label=_("Context"), max_length=6000, widget=TEXTAREA,
                              help_text=_("Setting, modality and how long you have worked together."))
    vignette = forms.CharField(label=_("De-identified vignette"), max_length=6000,
                               widget=forms.Textarea(attrs={"rows": 8}),
                               help_text=_("No names, places, dates, numbers or anything else that could "
                                           "identify the client."))
    needs = forms.CharField(label=_("What I need from the group"), max_length=6000, widget=TEXTAREA)


class CommentForm(PhiGuardedFormMixin, forms.Form):
    phi_fields = ("body",)
    phi_mode = "block"

    body = forms.CharField(label=_("Your comment"), max_length=10_000, widget=TEXTAREA)


__all__ = [
    "AgreementAcceptForm",
    "AgreementForm",
    "CommentForm",
    "DirectoryFilterForm",
    "GroupCreateForm",
    "GroupForm",
    "GroupSettingsForm",
    "GroupVisibility",
    "InviteForm",
    "JoinPolicy",
    "PostForm",
    "PresentationForm",
    "RoleForm",
    "ThreadForm",
]
