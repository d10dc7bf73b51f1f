"""The form for issuing a personal access token."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from peerhaven.api.models import TokenScope

# Choice value → lifetime; "never" is offered but not the default.
LIFETIMES: dict[str, dt.timedelta | None] = {
    "30": dt.timedelta(days=30),
    "90": dt.timedelta(days=90),
    "365": dt.timedelta(days=365),
    "never": None,
}


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=60,
        help_text=_("To tell your tokens apart, for example “calendar sync on my laptop”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What the token may do"),
        choices=TokenScope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Grant only what the tool you use it with needs."),
    )
    lifetime = forms.ChoiceField(
        label=_("Expires"),
        choices=[
            ("30", _("In 30 days")),
            ("90", _("In 90 days")),
            ("365", _("In a year")),
            ("never", _("Never (not recommended)")),
        ],
        initial="90",
        widget=forms.RadioSelect,
    )

    def chosen_lifetime(self) -> dt.timedelta | None:
        return LIFETIMES[self.cleaned_data["lifetime"]]
