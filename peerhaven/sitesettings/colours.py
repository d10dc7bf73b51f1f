"""Colour checks for the instance's theme: a colour is accepted only when text stays readable
(WCAG 2.x AA, contrast ratio at least 4.5:1) both as white text on it and as it on the page."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"
# The page background (--paper in static/css/peerhaven.css); links and headings sit on it.
PAGE_BACKGROUND = "#fbfaf7"
AA_NORMAL_TEXT = 4.5


def relative_luminance(colour: str) -> float:
    """Relative luminance of an sRGB colour, as defined by WCAG 2.x
    (https://www.w3.org/TR/WCAG22/#dfn-relative-luminance):
    each channel c in [0, 1] is linearised as c / 12.92 when c <= 0.04045, else
    ((c + 0.055) / 1.055) ** 2.4; then L = 0.2126 R + 0.7152 G + 0.0722 B.
    (WCAG 2.0 printed the threshold as 0.03928; no 8-bit channel value lies between the two.)"""
    channels = []
    for index in (1, 3, 5):
        value = int(colour[index : index + 2], 16) / 255
        channels.append(value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.x contrast ratio (https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio):
    (L1 + 0.05) / (L2 + 0.05), L1 the lighter of the two; from 1:1 to 21:1."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def validate_accessible_colour(value: str) -> None:
    if not isinstance(value, str) or not HEX_COLOUR.match(value):
        raise ValidationError(_("Enter a colour as # followed by six hexadecimal digits, like #1f5f8b."), code="format")
    lowest = min(contrast_ratio(value, WHITE), contrast_ratio(value, PAGE_BACKGROUND))
    if lowest < AA_NORMAL_TEXT:
        raise ValidationError(
            _(
                "This colour is too light for readable text: its contrast is %(ratio).2f:1, and at "
                "least 4.5:1 is needed. Choose a darker shade."
            ),
            code="contrast",
            params={"ratio": lowest},
        )
