"""The PHI guard where members write: the form mixin (block and warn modes, confirmation and its
audit row), the live check endpoint (escaping, length cap, CSRF, rate limit) and the component."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from peerhaven.core.models import AuditEntry
from peerhaven.safety.phi_forms import (
    CHECK_BUTTON,
    CONFIRM_FIELD,
    PHI_TEXT_MAX,
    PhiGuardedFormMixin,
    phi_check,
    phi_confirmation_log,
)

pytestmark = pytest.mark.django_db

PHONE = "Please call her on 555-201-3344 before Tuesday."
NAME = "I met Maria Gonzalez last week and she was sad."
CLEAN = "The client felt sad after the session."


class CasePresentationForm(PhiGuardedFormMixin, forms.Form):
    phi_fields = ("vignette",)
    phi_mode = "block"

    title = forms.CharField(max_length=100)
    vignette = forms.CharField(widget=forms.Textarea)


class ForumPostForm(PhiGuardedFormMixin, forms.Form):
    phi_fields = ("body",)
    phi_mode = "warn"

    body = forms.CharField(widget=forms.Textarea)


def _confirmed_resubmit(form: PhiGuardedFormMixin, **extra: Any) -> dict[str, Any]:
    """What the browser posts back after the author ticks the box the form showed."""
    return {**{key: form.data[key] for key in form.data}, CONFIRM_FIELD: "on", **extra}


def test_it_blocks_a_phone_number_with_a_kind_error() -> None:
    form = CasePresentationForm(data={"title": "Stuck", "vignette": PHONE})
    assert not form.is_valid()
    [error] = form.errors["vignette"]
    assert "Phone number" in error and "please remove them" in error
    assert "555" not in error  # the identifier itself is never echoed
    assert form.has_error("vignette", code="phi_block")
    assert [finding.category for finding in form.phi_findings["vignette"].findings] == ["phone"]


def test_it_keeps_blocking_a_phone_number_even_when_confirmed() -> None:
    form = CasePresentationForm(data={"title": "Stuck", "vignette": PHONE, CONFIRM_FIELD: "on"})
    assert not form.is_valid()
    assert form.has_error("vignette", code="phi_block")


def test_it_asks_for_confirmation_of_a_possible_name() -> None:
    form = CasePresentationForm(data={"title": "Stuck", "vignette": NAME})
    assert form[CONFIRM_FIELD].is_hidden
    assert not form.is_valid()
    assert form.has_error("vignette", code="phi_confirm")
    assert "Possible name" in form.errors["vignette"][0] and "Maria" not in form.errors["vignette"][0]
    assert not form[CONFIRM_FIELD].is_hidden  # the box appears once there is something to confirm
    html = str(form[CONFIRM_FIELD])
    assert 'type="checkbox"' in html and "checked" not in html
    assert "I have checked: these are not identifying" in form[CONFIRM_FIELD].label


def test_it_hides_the_confirmation_when_there_is_nothing_soft() -> None:
    form = CasePresentationForm(data={"title": "Calm", "vignette": CLEAN})
    assert form.is_valid()
    assert form.phi_findings == {}
    assert form[CONFIRM_FIELD].is_hidden
    assert form.phi_confirmed_findings == []


def test_it_passes_a_confirmed_name_and_the_helper_logs_categories_only(verified_member) -> None:
    first = CasePresentationForm(data={"title": "Stuck", "vignette": NAME})
    assert not first.is_valid()
    form = CasePresentationForm(data=_confirmed_resubmit(first))
    assert form.is_valid(), form.errors
    assert form.phi_confirmed
    entry = phi_confirmation_log(actor=verified_member, findings=form.phi_confirmed_findings)
    assert entry is not None
    row = AuditEntry.objects.get(action="phi.confirm")
    assert row.actor_id == verified_member.pk
    assert row.data == {"categories": {"name": 1}, "count": 1}
    assert "Maria" not in str(row.data) and "Gonzalez" not in str(row.data)


def test_it_writes_no_audit_row_when_nothing_was_confirmed(verified_member) -> None:
    form = CasePresentationForm(data={"title": "Calm", "vignette": CLEAN})
    assert form.is_valid()
    assert phi_confirmation_log(actor=verified_member, findings=form.phi_confirmed_findings) is None
    assert not AuditEntry.objects.filter(action="phi.confirm").exists()


def test_it_refuses_a_tick_without_the_findings_it_was_given_for() -> None:
    form = CasePresentationForm(data={"title": "Stuck", "vignette": NAME, CONFIRM_FIELD: "on"})
    assert not form.is_valid()
    assert form.has_error("vignette", code="phi_confirm")


def test_it_asks_again_when_a_new_name_appears_after_the_tick() -> None:
    first = CasePresentationForm(data={"title": "Stuck", "vignette": NAME})
    assert not first.is_valid()
    changed = _confirmed_resubmit(first, vignette=NAME + " Later Dolores Whitaker called.")
    form = CasePresentationForm(data=changed)
    assert not form.is_valid()
    assert form.has_error("vignette", code="phi_confirm")
    assert "checked" not in str(form[CONFIRM_FIELD])  # the stale tick is cleared


def test_it_never_blocks_in_warn_mode_but_exposes_findings() -> None:
    form = ForumPostForm(data={"body": PHONE + " " + NAME})
    assert form.is_valid(), form.errors
    categories = {finding.category for finding in form.phi_findings["body"].findings}
    assert {"phone", "name"} <= categories
    assert form[CONFIRM_FIELD].is_hidden


def test_it_publishes_nothing_when_the_check_button_submits_the_form() -> None:
    form = ForumPostForm(data={"body": CLEAN, CHECK_BUTTON: "1"})
    assert not form.is_valid()
    assert form.has_error("__all__", code="phi_checked")


def test_it_renders_the_component_with_highlights_after_a_server_check() -> None:
    form = CasePresentationForm(data={"title": "Stuck", "vignette": "<b>x</b> " + PHONE})
    assert not form.is_valid()
    html = render_to_string("components/phi_textarea.html", {"field": form["vignette"]})
    assert f'hx-post="{reverse("safety:phi_check")}"' in html
    assert 'hx-trigger="keyup changed delay:800ms from:find textarea"' in html
    assert 'name="phi_check"' in html and 'type="submit"' in html
    assert 'id="phi-vignette-summary"' in html and 'aria-live="polite"' in html
    assert '<mark class="phi-mark phi-mark-block">555-201-3344' in html
    assert "<b>x</b>" not in html.split('class="phi-preview"')[1]
    assert "hx-on" not in html and "style=" not in html and "<script>" not in html


# --- the live check endpoint ---------------------------------------------------------------
URL = "safety:phi_check"


def test_it_returns_findings_in_plain_words_with_counts(verified_client) -> None:
    response = verified_client.post(reverse(URL), {"text": PHONE + " " + NAME})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Phone number" in html and "Possible name" in html
    assert 'aria-live="polite"' in html
    assert "1 clear identifier found." in html and "1 possible identifier to review." in html
    assert '<mark class="phi-mark phi-mark-block">555-201-3344' in html
    assert '<mark class="phi-mark phi-mark-confirm">Maria Gonzalez' in html


def test_it_says_so_when_nothing_is_found(verified_client) -> None:
    response = verified_client.post(reverse(URL), {"text": CLEAN})
    assert response.status_code == 200
    assert "No identifiers found." in response.content.decode()
    assert "<mark" not in response.content.decode()


def test_it_renders_an_xss_payload_inert(verified_client) -> None:
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)"> call 555-201-3344'
    response = verified_client.post(reverse(URL), {"text": payload})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in html
    assert "<mark" in html


def test_it_escapes_html_inside_a_flagged_span() -> None:
    check = phi_check("See https://example.com/p?a=1&b=2 <i>now</i>")
    [finding] = check.findings
    assert "&" in check.text[finding.start:finding.end]
    html = render_to_string("components/phi_results.html", {"check": check})
    assert '<mark class="phi-mark phi-mark-block">https://example.com/p?a=1&amp;b=' in html
    assert "&lt;i&gt;now&lt;/i&gt;" in html and "<i>" not in html


def test_it_answers_400_kindly_for_text_over_the_cap(verified_client) -> None:
    response = verified_client.post(reverse(URL), {"text": "a" * (PHI_TEXT_MAX + 1)})
    assert response.status_code == 400
    assert "too long to check at once" in response.content.decode()
    assert verified_client.post(reverse(URL), {"text": "a" * PHI_TEXT_MAX}).status_code == 200


def test_it_reads_the_named_field_and_swaps_the_summary_out_of_band(verified_client) -> None:
    response = verified_client.post(reverse(URL), {"phi_field": "vignette", "vignette": PHONE})
    html = response.content.decode()
    assert 'id="phi-vignette-summary" hx-swap-oob="innerHTML"' in html
    assert "Phone number" in html


def test_it_ignores_a_field_name_that_cannot_be_an_id(verified_client) -> None:
    response = verified_client.post(reverse(URL), {"phi_field": '"><x', "text": CLEAN})
    html = response.content.decode()
    assert response.status_code == 200 and "hx-swap-oob" not in html and "No identifiers found." in html


def test_it_enforces_csrf(verified_member) -> None:
    client = sign_in(Client(enforce_csrf_checks=True), verified_member)
    assert client.post(reverse(URL), {"text": PHONE}).status_code == 403


def test_it_refuses_get(verified_client) -> None:
    assert verified_client.get(reverse(URL)).status_code == 405


def test_it_keeps_visitors_out(client) -> None:
    response = client.post(reverse(URL), {"text": PHONE})
    assert response.status_code == 302


def test_it_answers_429_after_sixty_checks_a_minute(
    verified_client, member_factory, client_for, monkeypatch
) -> None:
    # django_ratelimit counts in fixed one-minute windows; pin the window so that sixty requests
    # straddling a window's end cannot reset the count half-way.
    monkeypatch.setattr("django_ratelimit.core._get_window", lambda value, period: 1_700_000_000)
    for _ in range(60):
        assert verified_client.post(reverse(URL), {"text": CLEAN}).status_code == 200
    limited = verified_client.post(reverse(URL), {"text": CLEAN})
    assert limited.status_code == 429
    assert "Please wait a minute" in limited.content.decode()
    # The budget is per member: someone else is not slowed down.
    other = client_for(member_factory(verified=True))
    assert other.post(reverse(URL), {"text": CLEAN}).status_code == 200
