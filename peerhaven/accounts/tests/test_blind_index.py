"""The employer's keyed blind index: equal for the same organisation however it is written,
different for others, never the plaintext, and kept in sync by the profile service."""

from __future__ import annotations

import pytest
from django.test import override_settings

from peerhaven.accounts.blind_index import blind_index, employer_index, normalise_organisation
from peerhaven.accounts.models import Profile
from peerhaven.accounts.services import profile_employer_index_rebuild, profile_update
from peerhaven.accounts.tests.factories import make_member


def test_it_treats_spelling_variants_of_one_organisation_as_equal() -> None:
    assert normalise_organisation("The Thameside NHS Trust, Ltd.") == "thameside nhs trust"
    assert employer_index("  thameside   NHS trust ") == employer_index("The Thameside NHS Trust Ltd")
    assert employer_index("Hospital Universitario La Paz") != employer_index("Hospital Universitario La Fe")


def test_it_is_a_keyed_hmac_not_the_plaintext() -> None:
    index = employer_index("Brooklyn Anxiety Clinic")
    assert len(index) == 64 and "brooklyn" not in index
    with override_settings(SECRET_KEY="another-secret-key-that-is-long-enough-0123456789"):
        assert employer_index("Brooklyn Anxiety Clinic") != index
    # A different purpose gives a different index for the same value.
    assert blind_index("other", "brooklyn anxiety clinic") != index
    assert employer_index("") == "" and employer_index("  The  ") == ""


@pytest.mark.django_db
def test_it_keeps_the_index_in_sync_through_the_profile_service() -> None:
    member = make_member(verified=True)
    profile_update(actor=member, employer="Lakeshore Family Services")
    assert Profile.objects.get(user=member).employer_index == employer_index("lakeshore family services")
    profile_update(actor=member, employer="")
    assert Profile.objects.get(user=member).employer_index == ""


@pytest.mark.django_db
def test_it_rebuilds_indexes_after_a_key_change() -> None:
    member = make_member(verified=True)
    profile_update(actor=member, employer="Nairobi Hospice")
    with override_settings(SECRET_KEY="another-secret-key-that-is-long-enough-0123456789"):
        assert profile_employer_index_rebuild() == 1
        assert Profile.objects.get(user=member).employer_index == employer_index("Nairobi Hospice")
