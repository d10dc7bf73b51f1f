"""The per-kind delivery preferences form: one small form per kind, prefixed by its code."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerhaven.notifications.selectors import KindPreference


class KindPreferenceForm(forms.Form):
    in_app = forms.BooleanField(label=_("Show it in my notifications"), required=False)
    email = forms.BooleanField(label=_("Send me an e-mail"), required=False)


def kind_prefix(kind: str) -> str:
    return "kind-" + kind.replace(".", "_")


def preference_forms(
    preferences: list[KindPreference], data: Mapping[str, Any] | None = None
) -> list[tuple[KindPreference, KindPreferenceForm]]:
    return [
        (
            preference,
            KindPreferenceForm(
                data,
                prefix=kind_prefix(preference.kind),
                initial={"in_app": preference.in_app, "email": preference.email},
            ),
        )
        for preference in preferences
    ]
