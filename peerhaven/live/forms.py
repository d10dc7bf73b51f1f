"""Forms for scheduling meetups and for the staff's chat-retention setting."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerhaven.live.models import LiveSettings, Meetup


class MeetupForm(forms.ModelForm):
    class Meta:
        model = Meetup
        fields = ["title", "description", "starts_at", "ends_at", "capacity"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "starts_at": _("In your time zone. The room opens ten minutes before."),
            "capacity": _("Seats for participants; you, the host, do not take one."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["capacity"].initial = 30


class LiveSettingsForm(forms.ModelForm):
    class Meta:
        model = LiveSettings
        fields = ["chat_retention_days"]
        help_texts = {"chat_retention_days": _("Meetup chat is deleted this many days after the meetup ends.")}
